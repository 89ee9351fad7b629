using System.Net;

namespace WsGateway.IntegrationTests.Proxies;

/// <summary>
/// Debian's nginx with the README's configuration in front of two gateways configured as "Behind a proxy" says: the
/// upgrade passes through, the gateways see each client's own address (127.0.0.2, 127.0.0.3; nginx is 127.0.0.1),
/// per-IP limits count each client, and what a client writes into X-Forwarded-For changes nothing.
/// </summary>
public sealed class NginxTests : IAsyncLifetime
{
    private static readonly IPAddress Alice = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Bob = IPAddress.Parse("127.0.0.3");
    private ProxiedGateways _gateways = null!;
    private LoadBalancer _nginx = null!;

    public async Task InitializeAsync()
    {
        _gateways = await ProxiedGateways.StartAsync(ReadmeProxySnippets.ForNginx, options => options.Limits.MaxConnectionsPerIp = 1);
        _nginx = await LoadBalancer.StartNginxAsync(ReadmeProxySnippets.Nginx, _gateways.Ports);
    }

    public async Task DisposeAsync()
    {
        await _nginx.DisposeAsync();
        await _gateways.DisposeAsync();
    }

    private Uri Echo => new($"ws://127.0.0.1:{_nginx.Port}/echo");

    [Fact]
    public async Task The_upgrade_passes_through_and_the_gateway_sees_the_clients_address()
    {
        await using var client = await ClientFrom.ConnectAsync(Alice, Echo);

        Assert.Equal("through nginx", await client.RoundTripAsync("through nginx"));
        Assert.True(await _gateways.SawAsync(Alice), "seen: " + string.Join(", ", _gateways.OpenedFrom()) + "\n" + _nginx.Output);
        Assert.DoesNotContain(IPAddress.Loopback, _gateways.OpenedFrom());
    }

    [Fact]
    public async Task The_per_ip_limit_counts_each_client_not_the_proxy()
    {
        // One connection per IP on each of the two gateways: Alice fills both, then is refused wherever nginx sends her.
        List<ClientFrom> open = [];
        HttpStatusCode refused = 0;
        for (int attempt = 0; attempt < 4 && refused == 0; attempt++)
        {
            var (client, status) = await ClientFrom.TryConnectAsync(Alice, Echo);
            if (client is null)
            {
                refused = status;
            }
            else
            {
                open.Add(client);
            }
        }

        try
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused);
            Assert.InRange(open.Count, 1, 2);

            // Bob is another client behind the same proxy: his own limit, not Alice's.
            await using var bob = await ClientFrom.ConnectAsync(Bob, Echo);
            Assert.Equal("bob", await bob.RoundTripAsync("bob"));
        }
        finally
        {
            foreach (var client in open)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_spoofed_forwarded_for_through_nginx_is_ignored()
    {
        var spoof = new Dictionary<string, string> { ["X-Forwarded-For"] = "203.0.113.9" };

        await using var client = await ClientFrom.ConnectAsync(Alice, Echo, spoof);

        Assert.True(await _gateways.SawAsync(Alice));
        Assert.DoesNotContain(IPAddress.Parse("203.0.113.9"), _gateways.OpenedFrom());
    }

    [Fact]
    public async Task A_forwarded_for_from_a_peer_that_is_not_a_trusted_proxy_is_ignored()
    {
        var gateway = _gateways.All[0];
        var spoof = new Dictionary<string, string> { ["X-Forwarded-For"] = "203.0.113.9" };

        await using var client = await ClientFrom.ConnectAsync(Alice, gateway.WebSocketUri("/echo"), spoof);

        Assert.True(await Eventually.TrueAsync(() => ProxiedGateways.OpenedFrom(gateway).Contains(Alice), Eventually.Patience));
        Assert.DoesNotContain(IPAddress.Parse("203.0.113.9"), _gateways.OpenedFrom());
    }
}
