using WsGateway.Options;

namespace WsGateway.IntegrationTests.Proxies;

/// <summary>
/// The reported hole, with no proxy in between: a client on a trusted proxy's address (or a proxy that passes the
/// client's headers on) sends its own <c>X-Forwarded-Host</c> or <c>X-Forwarded-Proto</c>. Unless the operator lists
/// them in <c>Proxies:ForwardedHeaders</c>, they neither get a request for a name outside <c>Hosts:Allowed</c> past
/// the DNS rebinding check nor turn a good one away; listed, they are believed.
/// </summary>
public sealed class ForwardedHostTests
{
    private static Task<TestGateway> StartTrustingLoopbackAsync(Action<GatewayOptions>? configure = null) =>
        TestGateway.StartAsync(o =>
        {
            o.Proxies.TrustedProxies = ["127.0.0.1"];
            configure?.Invoke(o);
        });

    /// <summary>From 127.0.0.1, the trusted address.</summary>
    private static async Task<string> SendAsync(TestGateway gateway, string request)
    {
        await using var client = await RawWebSocketClient.ConnectRawAsync(gateway.Port);
        return await client.SendRequestAsync(request);
    }

    private static string Metrics(string headers) => $"GET /metrics HTTP/1.1\r\n{headers}\r\n";

    private static string Upgrade(string headers) =>
        "GET /echo HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{headers}\r\n";

    [Fact]
    public async Task Metrics_for_another_host_is_refused_whatever_x_forwarded_host_says()
    {
        await using var gateway = await StartTrustingLoopbackAsync();

        var response = await SendAsync(gateway, Metrics("Host: evil.example\r\nX-Forwarded-Host: localhost\r\n"));

        Assert.StartsWith("HTTP/1.1 400", response);
        Assert.Contains(gateway.Logs.Messages(), m => m.Contains("\"evil.example\" is not allowed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_upgrade_for_another_host_is_refused_whatever_x_forwarded_host_says()
    {
        await using var gateway = await StartTrustingLoopbackAsync();

        var response = await SendAsync(gateway, Upgrade("Host: evil.example\r\nX-Forwarded-Host: localhost\r\nOrigin: http://localhost\r\n"));

        Assert.StartsWith("HTTP/1.1 400", response);
    }

    [Fact]
    public async Task A_spoofed_x_forwarded_host_does_not_refuse_a_request_for_an_allowed_host()
    {
        await using var gateway = await StartTrustingLoopbackAsync();

        Assert.StartsWith("HTTP/1.1 200", await SendAsync(gateway, Metrics("Host: localhost\r\nX-Forwarded-Host: evil.example\r\n")));
        Assert.StartsWith("HTTP/1.1 101", await SendAsync(gateway, Upgrade($"Host: localhost:{gateway.Port}\r\nX-Forwarded-Host: evil.example\r\nOrigin: http://localhost:{gateway.Port}\r\n")));
    }

    [Fact]
    public async Task With_host_listed_x_forwarded_host_replaces_the_host_header()
    {
        await using var gateway = await StartTrustingLoopbackAsync(o => o.Proxies.ForwardedHeaders = [ForwardedHeader.For, ForwardedHeader.Host]);

        // A proxy that sends its upstream's name as Host and the client's in X-Forwarded-Host.
        Assert.StartsWith("HTTP/1.1 200", await SendAsync(gateway, Metrics("Host: wsgateway\r\nX-Forwarded-Host: localhost\r\n")));
        Assert.StartsWith("HTTP/1.1 400", await SendAsync(gateway, Metrics("Host: localhost\r\nX-Forwarded-Host: evil.example\r\n")));
        // From a peer that is not trusted it still counts for nothing.
        await using var stranger = await ClientFrom.ConnectAsync(System.Net.IPAddress.Parse("127.0.0.2"), gateway.WebSocketUri("/echo"),
            new Dictionary<string, string> { ["X-Forwarded-Host"] = "evil.example" });
        Assert.Equal("hi", await stranger.RoundTripAsync("hi"));
    }

    [Fact]
    public async Task X_forwarded_proto_decides_what_self_means_only_when_proto_is_listed()
    {
        static void Configure(GatewayOptions o)
        {
            o.Hosts.Allowed = ["chat.example.com"];
            o.Origins.Allowed = ["self"];
        }

        const string FromHttpsPage = "Host: chat.example.com\r\nOrigin: https://chat.example.com\r\nX-Forwarded-Proto: https\r\n";
        const string FromHttpPage = "Host: chat.example.com\r\nOrigin: http://chat.example.com\r\nX-Forwarded-Proto: https\r\n";
        await using (var byDefault = await StartTrustingLoopbackAsync(Configure))
        {
            Assert.StartsWith("HTTP/1.1 403", await SendAsync(byDefault, Upgrade(FromHttpsPage)));
            Assert.StartsWith("HTTP/1.1 101", await SendAsync(byDefault, Upgrade(FromHttpPage)));
        }

        await using var listed = await StartTrustingLoopbackAsync(o =>
        {
            Configure(o);
            o.Proxies.ForwardedHeaders = [ForwardedHeader.For, ForwardedHeader.Proto];
        });
        Assert.StartsWith("HTTP/1.1 101", await SendAsync(listed, Upgrade(FromHttpsPage)));
        Assert.StartsWith("HTTP/1.1 403", await SendAsync(listed, Upgrade(FromHttpPage)));
    }
}
