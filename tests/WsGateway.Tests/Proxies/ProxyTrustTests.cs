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

    private static readonly ForwardedHeader[] All = [ForwardedHeader.For, ForwardedHeader.Proto, ForwardedHeader.Host];

    [Fact]
    public void By_default_a_trusted_proxy_gives_the_client_address_but_not_the_scheme_or_host()
    {
        var view = Trust().See(Requests.Upgrade("/", Forwarded), Proxy, tls: false);

        Assert.Equal(new ClientView(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 0), "localhost", false), view);
    }

    [Fact]
    public void By_default_a_forwarded_host_does_not_replace_a_host_that_is_not_allowed()
    {
        // The reported hole: a client's own X-Forwarded-Host, passed on by a proxy that does not overwrite it.
        var request = Requests.Head("GET /metrics HTTP/1.1", ["Host: evil.example", "X-Forwarded-Host: localhost"]);

        Assert.Equal("evil.example", Trust().See(request, Proxy, tls: false).Host);
    }

    [Fact]
    public void With_all_listed_a_trusted_proxy_gives_the_client_address_scheme_and_host()
    {
        var view = Trust(p => p.ForwardedHeaders = All).See(Requests.Upgrade("/", Forwarded), Proxy, tls: false);

        Assert.Equal(new ClientView(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 0), "gateway.example.com", true), view);
    }

    [Fact]
    public void Each_header_is_taken_only_when_listed()
    {
        var hostOnly = Trust(p => p.ForwardedHeaders = [ForwardedHeader.Host]).See(Requests.Upgrade("/", Forwarded), Proxy, tls: false);
        var protoOnly = Trust(p => p.ForwardedHeaders = [ForwardedHeader.Proto]).See(Requests.Upgrade("/", Forwarded), Proxy, tls: false);

        Assert.Equal(new ClientView(Proxy, "gateway.example.com", false), hostOnly);
        Assert.Equal(new ClientView(Proxy, "localhost", true), protoOnly);
    }

    [Fact]
    public void A_listed_host_is_the_last_x_forwarded_host_line_whole()
    {
        var trust = Trust(p => p.ForwardedHeaders = All);

        // nginx's $host passes a client's "Host: evil.example,localhost" on: its right-most element must not count.
        Assert.Equal("evil.example,localhost", trust.See(Requests.Upgrade("/", "X-Forwarded-Host: evil.example,localhost"), Proxy, tls: false).Host);
        Assert.Equal("gateway.example.com", trust.See(Requests.Upgrade("/", "X-Forwarded-Host: evil.example", "X-Forwarded-Host:  gateway.example.com "), Proxy, tls: false).Host);
        Assert.Equal("localhost", trust.See(Requests.Upgrade("/", "X-Forwarded-Host: "), Proxy, tls: false).Host);
    }

    [Fact]
    public void A_listed_proto_of_http_turns_the_gateways_own_tls_off_and_an_absent_one_keeps_it()
    {
        var trust = Trust(p => p.ForwardedHeaders = All);

        Assert.False(trust.See(Requests.Upgrade("/", "X-Forwarded-Proto: http"), Proxy, tls: true).IsHttps);
        Assert.True(trust.See(Requests.Upgrade("/"), Proxy, tls: true).IsHttps);
    }

    [Fact]
    public void An_untrusted_peer_is_seen_as_it_connected()
    {
        var view = Trust(p => p.ForwardedHeaders = All).See(Requests.Upgrade("/", Forwarded), Stranger, tls: false);

        Assert.Equal(new ClientView(Stranger, "localhost", false), view);
    }

    [Fact]
    public void With_no_trusted_proxy_forwarding_headers_are_ignored()
    {
        var options = new GatewayOptions();
        options.Proxies.ForwardedHeaders = All;
        var view = new ProxyTrust(new LiveOptions(options)).See(Requests.Upgrade("/", Forwarded), Proxy, tls: true);

        Assert.Equal(new ClientView(Proxy, "localhost", true), view);
    }

    [Fact]
    public void ForwardedHeaders_empty_ignores_them_even_from_a_trusted_proxy()
    {
        var view = Trust(p => p.ForwardedHeaders = []).See(Requests.Upgrade("/", Forwarded), Proxy, tls: false);

        Assert.Equal(new ClientView(Proxy, "localhost", false), view);
    }

    [Fact]
    public void Without_forwarded_proto_and_host_the_connection_and_host_header_count()
    {
        var view = Trust(p => p.ForwardedHeaders = All).See(Requests.Upgrade("/", "X-Forwarded-For: 203.0.113.7"), Proxy, tls: true);

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
