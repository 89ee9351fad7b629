using System.Net;
using WsGateway.Options;
using WsGateway.Proxies;
using WsGateway.Tests.Authentication;

namespace WsGateway.Tests.Proxies;

public sealed class ProxyTrustTests
{
    private static readonly IPEndPoint Proxy = new(IPAddress.Loopback, 40000);
    private static readonly IPEndPoint Stranger = new(IPAddress.Parse("127.0.0.2"), 40000);

    private static ProxyTrust Trust(Action<ProxyOptions>? configure = null)
    {
        var options = new GatewayOptions();
        options.Proxies.TrustedProxies = ["127.0.0.1"];
        configure?.Invoke(options.Proxies);
        return new ProxyTrust(new LiveOptions(options));
    }

    private static readonly string[] Forwarded =
        ["X-Forwarded-For: 203.0.113.7", "X-Forwarded-Proto: https", "X-Forwarded-Host: gateway.example.com"];

    [Fact]
    public void A_trusted_proxy_gives_the_client_address_scheme_and_host()
    {
        var view = Trust().See(Requests.Upgrade("/", Forwarded), Proxy, tls: false);

        Assert.Equal(new ClientView(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 0), "gateway.example.com", true), view);
    }

    [Fact]
    public void An_untrusted_peer_is_seen_as_it_connected()
    {
        var view = Trust().See(Requests.Upgrade("/", Forwarded), Stranger, tls: false);

        Assert.Equal(new ClientView(Stranger, "localhost", false), view);
    }

    [Fact]
    public void With_no_trusted_proxy_forwarding_headers_are_ignored()
    {
        var view = new ProxyTrust(new LiveOptions(new GatewayOptions())).See(Requests.Upgrade("/", Forwarded), Proxy, tls: true);

        Assert.Equal(new ClientView(Proxy, "localhost", true), view);
    }

    [Fact]
    public void ForwardedHeaders_false_ignores_them_even_from_a_trusted_proxy()
    {
        var view = Trust(p => p.ForwardedHeaders = false).See(Requests.Upgrade("/", Forwarded), Proxy, tls: false);

        Assert.Equal(new ClientView(Proxy, "localhost", false), view);
    }

    [Fact]
    public void Without_forwarded_proto_and_host_the_connection_and_host_header_count()
    {
        var view = Trust().See(Requests.Upgrade("/", "X-Forwarded-For: 203.0.113.7"), Proxy, tls: true);

        Assert.Equal(new ClientView(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 0), "localhost", true), view);
    }

    [Fact]
    public void Only_a_trusted_peer_is_expected_to_send_a_proxy_header_and_only_when_configured()
    {
        Assert.False(Trust().ExpectsProxyHeader(Proxy));
        Assert.False(Trust().RefusesProxyHeaders);
        var proxyProtocol = Trust(p => p.ProxyProtocol = true);
        Assert.True(proxyProtocol.ExpectsProxyHeader(Proxy));
        Assert.False(proxyProtocol.ExpectsProxyHeader(Stranger));
        Assert.False(proxyProtocol.ExpectsProxyHeader(null));
        Assert.True(proxyProtocol.RefusesProxyHeaders);
    }
}
