using WsGateway.Options;

namespace WsGateway.IntegrationTests.Proxies;

/// <summary>
/// The reported hole through Debian's nginx and HAProxy: a client sends <c>Host: evil.example</c> with its own
/// <c>X-Forwarded-Host: localhost</c> (or the reverse) and the gateways answer as the real Host deserves, behind the
/// README's configurations and behind a proxy that passes the client's header on (the README's before it set it). And
/// the opt-in: behind an nginx that sends its upstream's name as Host, listing "Host" makes X-Forwarded-Host count.
/// </summary>
public sealed class SpoofedForwardedHostTests
{
    public enum Proxy
    {
        Nginx,

        /// <summary>The README's HAProxy without send-proxy-v2: <c>option forwardfor</c> and the README's nginx settings.</summary>
        HaproxyForwardFor,

        /// <summary>The README's HAProxy as it is, with its PROXY protocol settings.</summary>
        HaproxySendProxy,
    }

    private static readonly ForwardedHeader[] All = [ForwardedHeader.For, ForwardedHeader.Proto, ForwardedHeader.Host];
    private const string NginxSetsForwardedHost = "        proxy_set_header X-Forwarded-Host $host;\n";
    private const string NginxPassesHost = "        proxy_set_header Host $host;\n";
    private const string HaproxySetsForwardedHost = "    http-request set-header X-Forwarded-Host %[req.fhdr(host)]\n";

    public static TheoryData<Proxy, bool> ReadmeConfigurations => new()
    {
        { Proxy.Nginx, false }, { Proxy.Nginx, true },
        { Proxy.HaproxyForwardFor, false }, { Proxy.HaproxyForwardFor, true },
        { Proxy.HaproxySendProxy, false }, { Proxy.HaproxySendProxy, true },
    };

    [Theory]
    [MemberData(nameof(ReadmeConfigurations))]
    public async Task Behind_the_readme_configuration_a_clients_own_x_forwarded_host_changes_nothing(Proxy proxy, bool everyHeaderListed)
    {
        var settings = Settings(proxy);
        if (everyHeaderListed)
        {
            // The README's proxies set X-Forwarded-Host themselves, so even listing it lets no client choose.
            settings.ForwardedHeaders = All;
        }

        await using var setup = await Setup.StartAsync(proxy, Snippet(proxy), settings);

        await setup.AssertAsync(400, Metrics("evil.example", forwardedHost: "localhost"));
        await setup.AssertAsync(200, Metrics("localhost", forwardedHost: "evil.example"));
        // nginx passes this Host on as $host; its right-most element must not count either.
        await setup.AssertAsync(400, Metrics("evil.example,localhost", forwardedHost: "localhost"));
        await setup.AssertAsync(400, Upgrade("evil.example", forwardedHost: "localhost"));
        await setup.AssertAsync(101, Upgrade("localhost", forwardedHost: "evil.example"));
    }

    [Theory]
    [InlineData(Proxy.Nginx)]
    [InlineData(Proxy.HaproxyForwardFor)]
    public async Task Behind_a_proxy_that_passes_x_forwarded_host_on_only_listing_host_would_believe_it(Proxy proxy)
    {
        var snippet = Without(Snippet(proxy), proxy == Proxy.Nginx ? NginxSetsForwardedHost : HaproxySetsForwardedHost);
        var settings = Settings(proxy);
        await using var setup = await Setup.StartAsync(proxy, snippet, settings);

        // The report at the wire: with the README's settings, the client's header is not believed.
        await setup.AssertAsync(400, Metrics("evil.example", forwardedHost: "localhost"));
        await setup.AssertAsync(400, Upgrade("evil.example", forwardedHost: "localhost"));
        await setup.AssertAsync(200, Metrics("localhost", forwardedHost: "evil.example"));
        await setup.AssertAsync(101, Upgrade("localhost", forwardedHost: "evil.example"));

        // The header did arrive: listing "Host" behind such a proxy is the hole, which is why it is not the default.
        settings.ForwardedHeaders = All;
        await setup.AssertAsync(200, Metrics("evil.example", forwardedHost: "localhost"));
    }

    [Fact]
    public async Task Listing_host_takes_the_clients_host_from_a_proxy_that_sends_its_upstreams_name()
    {
        // Without "proxy_set_header Host $host" nginx sends "Host: wsgateway" (the upstream) and the client's in
        // X-Forwarded-Host, which the README's snippet sets.
        var snippet = Without(ReadmeProxySnippets.Nginx, NginxPassesHost);
        var settings = Settings(Proxy.Nginx);
        settings.ForwardedHeaders = [ForwardedHeader.For, ForwardedHeader.Host];
        await using var setup = await Setup.StartAsync(Proxy.Nginx, snippet, settings);

        await setup.AssertAsync(200, Metrics("localhost", forwardedHost: null));
        await setup.AssertAsync(101, Upgrade("localhost", forwardedHost: null));
        await setup.AssertAsync(400, Metrics("evil.example", forwardedHost: "localhost"));
        await setup.AssertAsync(400, Upgrade("evil.example", forwardedHost: "localhost"));

        // Not listed (a reload), the gateways see nginx's "wsgateway".
        settings.ForwardedHeaders = [ForwardedHeader.For];
        await setup.AssertAsync(400, Metrics("localhost", forwardedHost: null));
    }

    private static ProxyOptions Settings(Proxy proxy) =>
        proxy == Proxy.HaproxySendProxy ? ReadmeProxySnippets.ForHaproxy : ReadmeProxySnippets.ForNginx;

    private static string Snippet(Proxy proxy) => proxy switch
    {
        Proxy.Nginx => ReadmeProxySnippets.Nginx,
        Proxy.HaproxyForwardFor => Without(ReadmeProxySnippets.Haproxy, " send-proxy-v2 check-send-proxy"),
        _ => ReadmeProxySnippets.Haproxy,
    };

    private static string Without(string snippet, string part)
    {
        Assert.Contains(part, snippet, StringComparison.Ordinal);
        return snippet.Replace(part, "", StringComparison.Ordinal);
    }

    private static string Metrics(string host, string? forwardedHost) =>
        $"GET /metrics HTTP/1.1\r\nHost: {host}\r\n{ForwardedHost(forwardedHost)}\r\n";

    private static string Upgrade(string host, string? forwardedHost) =>
        $"GET /echo HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{ForwardedHost(forwardedHost)}\r\n";

    private static string ForwardedHost(string? value) => value is null ? "" : $"X-Forwarded-Host: {value}\r\n";

    /// <summary>Two gateways with the given settings behind the proxy with the given configuration.</summary>
    private sealed class Setup : IAsyncDisposable
    {
        private readonly ProxiedGateways _gateways;
        private readonly LoadBalancer _balancer;

        private Setup(ProxiedGateways gateways, LoadBalancer balancer) => (_gateways, _balancer) = (gateways, balancer);

        public static async Task<Setup> StartAsync(Proxy proxy, string snippet, ProxyOptions settings)
        {
            var gateways = await ProxiedGateways.StartAsync(settings);
            try
            {
                var balancer = proxy == Proxy.Nginx
                    ? await LoadBalancer.StartNginxAsync(snippet, gateways.Ports)
                    : await LoadBalancer.StartHaproxyAsync(snippet, gateways.Ports);
                return new Setup(gateways, balancer);
            }
            catch
            {
                await gateways.DisposeAsync();
                throw;
            }
        }

        /// <summary>Sends <paramref name="request"/> to the proxy, from 127.0.0.1, and checks the answer's status.</summary>
        public async Task AssertAsync(int status, string request)
        {
            await using var client = await RawWebSocketClient.ConnectRawAsync(_balancer.Port);
            var response = await client.SendRequestAsync(request);
            Assert.True(response.StartsWith($"HTTP/1.1 {status} ", StringComparison.Ordinal),
                $"{request.Split("\r\n")[0]} with {string.Join(", ", request.Split("\r\n").Where(l => l.StartsWith("Host", StringComparison.Ordinal) || l.StartsWith("X-Forwarded", StringComparison.Ordinal)))}" +
                $" was answered\n{response}\nproxy:\n{_balancer.Output}\ngateways:\n{string.Join("\n", _gateways.All.SelectMany(g => g.Logs.Messages()))}");
        }

        public async ValueTask DisposeAsync()
        {
            await _balancer.DisposeAsync();
            await _gateways.DisposeAsync();
        }
    }
}
