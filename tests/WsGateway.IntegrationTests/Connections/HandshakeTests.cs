using WsGateway.IntegrationTests.Infrastructure;

namespace WsGateway.IntegrationTests.Connections;

public sealed class HandshakeTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    // A client on a busy machine may take seconds to send its head (one byte at a time, below); only the test about
    // the timeout shortens it.
    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(o =>
    {
        o.Limits.HandshakeTimeoutSeconds = Eventually.Patience.TotalSeconds;
        o.Limits.MaxHandshakeBytes = 2048;
    });

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<string> AnswerTo(string request)
    {
        await using var client = await RawWebSocketClient.ConnectRawAsync(_gateway.Port);
        await client.SendBytesAsync(System.Text.Encoding.ASCII.GetBytes(request));
        return await client.ReadToEndAsync();
    }

    private string Upgrade(string headers, string path = "/echo") => $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{_gateway.Port}\r\n{headers}\r\n";

    [Fact]
    public async Task Valid_upgrade_gets_101_with_the_rfc_accept_value()
    {
        await using var client = await RawWebSocketClient.ConnectRawAsync(_gateway.Port);
        var answer = await client.SendRequestAsync(RawWebSocketClient.UpgradeRequest(_gateway.Port));
        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", answer);
        Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", answer);
        Assert.Contains("Upgrade: websocket\r\n", answer);
    }

    [Fact]
    public async Task Connection_header_token_list_and_header_case_are_accepted()
    {
        await using var client = await RawWebSocketClient.ConnectRawAsync(_gateway.Port);
        var answer = await client.SendRequestAsync(Upgrade(
            "upgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nSEC-WEBSOCKET-VERSION: 13\r\n"));
        Assert.StartsWith("HTTP/1.1 101", answer);
    }

    [Fact]
    public async Task Other_websocket_version_gets_426_naming_version_13()
    {
        var answer = await AnswerTo(Upgrade("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n"));
        Assert.StartsWith("HTTP/1.1 426", answer);
        Assert.Contains("Sec-WebSocket-Version: 13\r\n", answer);
    }

    [Fact]
    public async Task Draft_76_request_gets_426_with_an_explanation()
    {
        var answer = await AnswerTo(Upgrade(
            "Upgrade: WebSocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\nOrigin: http://example.com\r\n"));
        Assert.StartsWith("HTTP/1.1 426", answer);
        Assert.Contains("Sec-WebSocket-Version: 13\r\n", answer);
        var body = answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.False(string.IsNullOrWhiteSpace(body));
    }

    [Theory]
    [InlineData("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")]
    [InlineData("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n")]
    [InlineData("Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")]
    public async Task Invalid_upgrade_gets_400_with_a_reason(string headers)
    {
        var answer = await AnswerTo(Upgrade(headers));
        Assert.StartsWith("HTTP/1.1 400", answer);
        var body = answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.False(string.IsNullOrWhiteSpace(body));
    }

    [Fact]
    public async Task Upgrade_to_another_protocol_is_ignored_and_served_as_plain_http()
    {
        // RFC 9110 7.8: a server may ignore an upgrade it does not support (curl --http2 sends h2c).
        var answer = await AnswerTo(Upgrade("Upgrade: h2c\r\nConnection: Upgrade\r\n", "/healthz"));
        Assert.StartsWith("HTTP/1.1 200", answer);
    }

    [Fact]
    public async Task Missing_host_gets_400()
    {
        var answer = await AnswerTo("GET /echo HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", answer);
    }

    [Fact]
    public async Task Header_block_over_the_limit_gets_431()
    {
        var answer = await AnswerTo(Upgrade("X-Filler: " + new string('a', 4000) + "\r\nUpgrade: websocket\r\n"));
        Assert.StartsWith("HTTP/1.1 431", answer);
    }

    [Fact]
    public async Task Garbage_request_line_gets_400()
    {
        var answer = await AnswerTo("HELLO\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", answer);
    }

    [Fact]
    public async Task Upgrade_to_an_unknown_path_gets_404()
    {
        var answer = await AnswerTo(RawWebSocketClient.UpgradeRequest(_gateway.Port, "/nowhere"));
        Assert.StartsWith("HTTP/1.1 404", answer);
    }

    [Fact]
    public async Task Plain_get_is_served_by_the_http_routes()
    {
        using var http = new HttpClient();
        var health = await http.GetAsync(_gateway.HttpUri("/healthz"));
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        var missing = await http.GetAsync(_gateway.HttpUri("/no-such-page"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Unfinished_handshake_is_dropped_after_the_timeout()
    {
        // This head never ends, so no timeout is too short for it.
        var current = _gateway.Gateway.Options.Current;
        Assert.Empty(_gateway.Gateway.Options.Reload(current with { Limits = current.Limits with { HandshakeTimeoutSeconds = 0.5 } }));
        await using var client = await RawWebSocketClient.ConnectRawAsync(_gateway.Port);
        await client.SendBytesAsync("GET /echo HTTP/1.1\r\nHost: x\r\n"u8.ToArray());
        var answer = await client.ReadToEndAsync();
        Assert.Equal("", answer);
    }

    [Fact]
    public async Task Head_split_into_single_bytes_still_upgrades()
    {
        await using var client = await RawWebSocketClient.ConnectRawAsync(_gateway.Port);
        foreach (var b in System.Text.Encoding.ASCII.GetBytes(RawWebSocketClient.UpgradeRequest(_gateway.Port)))
        {
            await client.SendBytesAsync([b]);
        }

        Assert.StartsWith("HTTP/1.1 101", await client.ReadResponseHeadAsync());
    }
}
