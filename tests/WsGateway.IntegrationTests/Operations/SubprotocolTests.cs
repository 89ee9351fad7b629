namespace WsGateway.IntegrationTests.Operations;

public sealed class SubprotocolTests
{
    [Fact]
    public async Task Server_picks_by_its_own_order_of_preference_among_the_offered_protocols()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Commands.Subprotocols = ["wsgateway.v1", "wsgateway.v2"]);
        using var client = await gateway.ConnectAsync("/", o =>
        {
            o.AddSubProtocol("chat");
            o.AddSubProtocol("wsgateway.v2");
            o.AddSubProtocol("wsgateway.v1");
        });
        Assert.Equal("wsgateway.v1", client.SubProtocol);
    }

    [Fact]
    public async Task Newer_protocol_listed_first_wins_although_the_client_offers_the_older_one_first()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Commands.Subprotocols = ["chat.v2", "chat"]);
        await using var raw = await RawWebSocketClient.ConnectRawAsync(gateway.Port);
        var answer = await raw.SendRequestAsync(RawWebSocketClient.UpgradeRequest(gateway.Port, "/", "Sec-WebSocket-Protocol: chat, chat.v2\r\n"));
        Assert.StartsWith("HTTP/1.1 101", answer);
        Assert.Contains("\r\nSec-WebSocket-Protocol: chat.v2\r\n", answer);
    }

    [Fact]
    public async Task No_protocol_is_answered_when_none_offered_is_supported_or_none_was_offered()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Commands.Subprotocols = ["wsgateway.v1"]);
        await using var raw = await RawWebSocketClient.ConnectRawAsync(gateway.Port);
        var answer = await raw.SendRequestAsync(RawWebSocketClient.UpgradeRequest(gateway.Port, "/", "Sec-WebSocket-Protocol: chat, superchat\r\n"));
        Assert.StartsWith("HTTP/1.1 101", answer);
        Assert.DoesNotContain("Sec-WebSocket-Protocol", answer, StringComparison.OrdinalIgnoreCase);

        using var plain = await gateway.ConnectAsync("/");
        Assert.Null(plain.SubProtocol);
    }

    [Fact]
    public async Task Echo_route_answers_no_protocol()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Commands.Subprotocols = ["wsgateway.v1"]);
        await using var raw = await RawWebSocketClient.ConnectRawAsync(gateway.Port);
        var answer = await raw.SendRequestAsync(RawWebSocketClient.UpgradeRequest(gateway.Port, "/echo", "Sec-WebSocket-Protocol: wsgateway.v1\r\n"));
        Assert.DoesNotContain("Sec-WebSocket-Protocol", answer, StringComparison.OrdinalIgnoreCase);
    }
}
