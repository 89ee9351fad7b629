using System.Net;
using WsGateway.Options;
using WsGateway.Protocol;

namespace WsGateway.Proxies;

/// <summary>
/// Applies <c>Proxies</c>: whether a peer must send a PROXY header, and what a request's client looks like once a
/// trusted proxy's forwarding headers are taken into account. With <c>Proxies:TrustedProxies</c> empty (the default)
/// it only ever returns the connection's own view, without allocating.
/// </summary>
internal sealed class ProxyTrust
{
    private readonly LiveOptions _options;

    private readonly ParsedOptions<string[], TrustedNetworks> _networks = new(TrustedNetworks.Parse);

    public ProxyTrust(LiveOptions options) => _options = options;

    /// <summary>Whether <paramref name="peer"/> must start its connection with a PROXY header (and may).</summary>
    public bool ExpectsProxyHeader(IPEndPoint? peer)
    {
        var proxies = _options.Current.Proxies;
        return proxies.ProxyProtocol && Networks(proxies.TrustedProxies).Contains(peer?.Address);
    }

    /// <summary>True when a PROXY header is a protocol error unless <see cref="ExpectsProxyHeader"/> consumed it first.</summary>
    public bool RefusesProxyHeaders => _options.Current.Proxies.ProxyProtocol;

    /// <param name="remote">The connection's peer, or the client a PROXY header named.</param>
    /// <param name="tls">Whether the connection to the gateway is TLS.</param>
    public ClientView See(HttpRequestHead request, IPEndPoint? remote, bool tls)
    {
        var proxies = _options.Current.Proxies;
        var host = request.GetHeader("Host");
        if (proxies.ForwardedHeaders.Length == 0 || remote is null || proxies.TrustedProxies.Length == 0)
        {
            return new ClientView(remote, host, tls);
        }

        var networks = Networks(proxies.TrustedProxies);
        if (!networks.Contains(remote.Address))
        {
            return new ClientView(remote, host, tls);
        }

        // Each only when listed: a proxy that does not overwrite Host or Proto passes on whatever the client wrote.
        var client = Trusts(proxies, ForwardedHeader.For) ? ForwardedFor.Resolve(remote, Values(request, "X-Forwarded-For"), networks) : remote;
        // The last line whole, not its right-most element: a proxy that sets it from the client's Host (nginx's $host)
        // passes "evil.example,localhost" on, whose right-most element the client chose; whole, it matches no host.
        var forwardedHost = Trusts(proxies, ForwardedHeader.Host) ? LastLine(request, "X-Forwarded-Host") : null;
        var proto = Trusts(proxies, ForwardedHeader.Proto) ? ForwardedFor.LastElement(Values(request, "X-Forwarded-Proto")) : null;
        bool https = proto is null ? tls : proto.Equals("https", StringComparison.OrdinalIgnoreCase) || proto.Equals("wss", StringComparison.OrdinalIgnoreCase);
        return new ClientView(client, forwardedHost ?? host, https);
    }

    private static bool Trusts(ProxyOptions proxies, ForwardedHeader header) => Array.IndexOf(proxies.ForwardedHeaders, header) >= 0;

    private static string? LastLine(HttpRequestHead request, string name) =>
        Values(request, name) is [.., var line] && line.Trim() is { Length: > 0 } whole ? whole : null;

    private static List<string> Values(HttpRequestHead request, string name)
    {
        var values = new List<string>(1);
        foreach (var header in request.Headers)
        {
            if (header.Key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                values.Add(header.Value);
            }
        }

        return values;
    }

    private TrustedNetworks Networks(string[] entries) => _networks.For(entries);
}
