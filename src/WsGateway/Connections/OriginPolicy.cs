using System.Net;
using WsGateway.Http;
using WsGateway.Options;
using WsGateway.Protocol;

namespace WsGateway.Connections;

/// <summary>
/// Refuses upgrades from pages whose Origin is not allowed (cross-site WebSocket hijacking): a browser sends the
/// page's origin, and cookies or other ambient credentials would otherwise let any site act as the user.
/// </summary>
internal sealed class OriginPolicy : IHandshakePolicy
{
    private readonly LiveOptions _options;

    public OriginPolicy(LiveOptions options) => _options = options;

    public string Name => "origin";

    public ValueTask<HttpResponse?> CheckAsync(HttpRequestHead request, IPEndPoint? remoteEndPoint, CancellationToken cancellationToken)
    {
        var current = _options.Current;
        var origin = request.GetHeader("Origin");
        bool allowed = origin is null
            ? current.Origins.AllowMissing
            : IsAllowed(origin, current.Origins.Allowed, request.GetHeader("Host"), current.Tls.Enabled);
        return ValueTask.FromResult(allowed
            ? null
            : HttpResponse.Text(403, origin is null
                ? "A request without an Origin header is not allowed here."
                : $"Origin {origin} is not allowed to connect (see Origins:Allowed)."));
    }

    internal static bool IsAllowed(string origin, IReadOnlyList<string> allowed, string? host, bool tls)
    {
        foreach (var entry in allowed)
        {
            if (entry == "*" || string.Equals(entry, origin, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (entry.Equals("self", StringComparison.OrdinalIgnoreCase))
            {
                if (host is not null && string.Equals(origin, (tls ? "https://" : "http://") + host, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }

                continue;
            }

            // "scheme://host" without a port allows every port of that host (dev servers pick ports freely).
            if (Uri.TryCreate(entry, UriKind.Absolute, out var pattern) && !HasExplicitPort(entry, pattern)
                && Uri.TryCreate(origin, UriKind.Absolute, out var actual)
                && string.Equals(pattern.Scheme, actual.Scheme, StringComparison.OrdinalIgnoreCase)
                && string.Equals(pattern.Host, actual.Host, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasExplicitPort(string text, Uri uri) =>
        text.AsSpan(uri.Scheme.Length + 3).LastIndexOf(':') > text.AsSpan(uri.Scheme.Length + 3).LastIndexOf(']');
}
