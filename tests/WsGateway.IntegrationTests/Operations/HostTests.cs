using System.Net.Sockets;
using System.Text;

namespace WsGateway.IntegrationTests.Operations;

/// <summary>Host header checks: the defence against DNS rebinding, on WebSocket and plain HTTP requests alike.</summary>
public sealed class HostTests
{
    private static string Upgrade(string host, string? origin) =>
        $"GET / HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
        (origin is null ? "" : $"Origin: {origin}\r\n") + "\r\n";

    private static async Task<string> SendAsync(TestGateway gateway, string request)
    {
        await using var client = await RawWebSocketClient.ConnectRawAsync(gateway.Port);
        return await client.SendRequestAsync(request);
    }

    [Fact]
    public async Task A_dns_rebinding_handshake_is_refused_by_default()
    {
        await using var gateway = await TestGateway.StartAsync();
        var host = $"evil.example:{gateway.Port}";

        var response = await SendAsync(gateway, Upgrade(host, $"http://{host}"));

        Assert.StartsWith("HTTP/1.1 400", response);
        Assert.Contains(gateway.Logs.Messages(), m => m.Contains("evil.example", StringComparison.Ordinal) && m.Contains("Hosts:Allowed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_and_the_console_answer_only_allowed_hosts()
    {
        await using var gateway = await TestGateway.StartAsync();

        Assert.StartsWith("HTTP/1.1 400", await SendAsync(gateway, $"GET /metrics HTTP/1.1\r\nHost: evil.example:{gateway.Port}\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 400", await SendAsync(gateway, "GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 200", await SendAsync(gateway, $"GET /metrics HTTP/1.1\r\nHost: localhost:{gateway.Port}\r\n\r\n"));
        var metrics = await SendAsync(gateway, $"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:{gateway.Port}\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", metrics);
    }

    [Theory]
    [InlineData("localhost", "http://localhost")]
    [InlineData("127.0.0.1", "http://127.0.0.1")]
    [InlineData("[::1]", null)]
    public async Task Loopback_names_upgrade_with_their_own_origin(string name, string? origin)
    {
        await using var gateway = await TestGateway.StartAsync();
        var host = $"{name}:{gateway.Port}";

        Assert.StartsWith("HTTP/1.1 101", await SendAsync(gateway, Upgrade(host, origin is null ? null : $"{origin}:{gateway.Port}")));
    }

    [Fact]
    public async Task Configured_public_names_are_served_and_self_origin_follows_them()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Hosts.Allowed = ["gateway.example.com"]);
        var host = $"gateway.example.com:{gateway.Port}";

        Assert.StartsWith("HTTP/1.1 101", await SendAsync(gateway, Upgrade(host, $"http://{host}")));
        Assert.StartsWith("HTTP/1.1 400", await SendAsync(gateway, Upgrade($"localhost:{gateway.Port}", null)));
    }
}
