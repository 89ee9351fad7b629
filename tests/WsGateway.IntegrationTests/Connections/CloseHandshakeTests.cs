using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using WsGateway.IntegrationTests.Infrastructure;

namespace WsGateway.IntegrationTests.Connections;

public sealed class CloseHandshakeTests : IAsyncLifetime
{
    private const int Close = 8;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static byte[] ClosePayload(int code, byte[]? reason = null)
    {
        var payload = new byte[2 + (reason?.Length ?? 0)];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        reason?.CopyTo(payload, 2);
        return payload;
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(1001)]
    [InlineData(1002)]
    [InlineData(1003)]
    [InlineData(1007)]
    [InlineData(1008)]
    [InlineData(1009)]
    [InlineData(1010)]
    [InlineData(1011)]
    [InlineData(1012)]
    [InlineData(1014)]
    [InlineData(3000)]
    [InlineData(3999)]
    [InlineData(4000)]
    [InlineData(4999)]
    public async Task Valid_close_code_is_echoed_and_tcp_closed(int code)
    {
        await using var client = await RawWebSocketClient.ConnectAsync(_gateway.Port);
        await client.SendFrameAsync(Close, ClosePayload(code, "bye"u8.ToArray()));
        Assert.Equal(code, await client.ReadCloseCodeAsync());
        Assert.True(await client.ServerClosedTcpAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(1016)]
    [InlineData(2000)]
    [InlineData(2999)]
    [InlineData(5000)]
    [InlineData(65535)]
    public async Task Invalid_close_code_fails_with_1002(int code)
    {
        await using var client = await RawWebSocketClient.ConnectAsync(_gateway.Port);
        await client.SendFrameAsync(Close, ClosePayload(code));
        Assert.Equal(1002, await client.ReadCloseCodeAsync());
        Assert.True(await client.ServerClosedTcpAsync());
    }

    [Fact]
    public async Task Empty_close_is_answered_with_an_empty_close()
    {
        await using var client = await RawWebSocketClient.ConnectAsync(_gateway.Port);
        await client.SendFrameAsync(Close, []);
        var frame = await client.ReadFrameAsync();
        Assert.Equal(Close, frame!.Opcode);
        Assert.Empty(frame.Payload);
        Assert.True(await client.ServerClosedTcpAsync());
    }

    [Fact]
    public async Task One_byte_close_payload_fails_with_1002()
    {
        await using var client = await RawWebSocketClient.ConnectAsync(_gateway.Port);
        await client.SendFrameAsync(Close, [0x03]);
        Assert.Equal(1002, await client.ReadCloseCodeAsync());
    }

    [Fact]
    public async Task Close_reason_that_is_not_utf8_fails_with_1007()
    {
        await using var client = await RawWebSocketClient.ConnectAsync(_gateway.Port);
        await client.SendFrameAsync(Close, ClosePayload(1000, [0xCE, 0xBA, 0xED, 0xA0, 0x80]));
        Assert.Equal(1007, await client.ReadCloseCodeAsync());
    }

    [Fact]
    public async Task Data_after_close_is_not_answered()
    {
        await using var client = await RawWebSocketClient.ConnectAsync(_gateway.Port);
        await client.SendBytesAsync([.. RawWebSocketClient.Frame(Close, ClosePayload(1000)), .. RawWebSocketClient.Frame(1, "late"u8.ToArray())]);
        var frame = await client.ReadFrameAsync();
        Assert.Equal(Close, frame!.Opcode);
        Assert.Null(await client.ReadFrameAsync());
    }

    [Fact]
    public async Task ClientWebSocket_closes_cleanly()
    {
        using var client = await _gateway.ConnectAsync("/echo");
        await client.SendTextAsync("hello");
        Assert.Equal("hello", await client.ReceiveTextAsync());
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, client.State);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
        Assert.True(await Eventually.TrueAsync(() => _gateway.Gateway.ConnectionCount == 0, Eventually.Patience));
    }

    [Fact]
    public async Task Stopping_the_gateway_sends_1001_to_every_connection()
    {
        // The clients answer the 1001 when they get to it: neither the drain nor the close may give up first.
        var gateway = await TestGateway.StartAsync(o =>
        {
            o.Shutdown.DrainSeconds = Eventually.Patience.TotalSeconds;
            o.Limits.CloseTimeoutSeconds = Eventually.Patience.TotalSeconds;
        });
        using var first = await gateway.ConnectAsync("/echo");
        using var second = await gateway.ConnectAsync("/");
        var stopping = gateway.DisposeAsync().AsTask();
        var (status1, _) = await first.ReceiveCloseAsync();
        var (status2, _) = await second.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status1);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status2);
        await first.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await second.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await stopping;
    }

    [Fact]
    public async Task Echo_route_answers_ClientWebSocket_text_binary_and_fragments()
    {
        using var client = await _gateway.ConnectAsync("/echo");
        await client.SendAsync(Encoding.UTF8.GetBytes("part one, "), WebSocketMessageType.Text, false, CancellationToken.None);
        await client.SendAsync(Encoding.UTF8.GetBytes("part two"), WebSocketMessageType.Text, true, CancellationToken.None);
        Assert.Equal("part one, part two", await client.ReceiveTextAsync());

        var binary = new byte[200_000];
        new Random(7).NextBytes(binary);
        await client.SendAsync(binary, WebSocketMessageType.Binary, true, CancellationToken.None);
        var (type, data) = await client.ReceiveMessageAsync();
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(binary, data);
    }
}
