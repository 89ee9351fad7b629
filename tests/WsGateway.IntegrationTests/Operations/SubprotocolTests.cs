namespace WsGateway.IntegrationTests.Operations;

public sealed class SubprotocolTests
{
    [Fact]
    public async Task Server_picks_the_first_offered_protocol_it_supports()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Commands.Subprotocols = ["wsgateway.v1", "wsgateway.v2"]);
        using var client = await gateway.ConnectAsync("/", o =>
        {
            o.AddSubProtocol("chat");
            o.AddSubProtocol("wsgateway.v2");
            o.AddSubProtocol("wsgateway.v1");
        });
        Assert.Equal("wsgateway.v2", client.SubProtocol);
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
