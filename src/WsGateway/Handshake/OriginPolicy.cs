using WsGateway.Http;
using WsGateway.Options;
using WsGateway.Protocol;

namespace WsGateway.Handshake;

/// <summary>
/// Refuses upgrades from pages whose Origin is not allowed (cross-site WebSocket hijacking): a browser sends the
/// page's origin, and cookies or other ambient credentials would otherwise let any site act as the user.
/// </summary>
internal sealed class OriginPolicy
{
    private readonly LiveOptions _options;

    // The configuration check refused entries that do not parse, so none is left out here.
    private readonly ParsedOptions<string[], OriginPattern[]> _patterns =
        new(allowed => [.. allowed.Select(entry => OriginPattern.TryParse(entry, out _)).OfType<OriginPattern>()]);

    public OriginPolicy(LiveOptions options) => _options = options;

    /// <param name="host">The host the client asked for (the Host header, or a trusted proxy's <c>X-Forwarded-Host</c>): what <c>self</c> means.</param>
    /// <param name="https">Whether the client used TLS (the gateway's own, or a trusted proxy's <c>X-Forwarded-Proto</c>).</param>
    /// <returns>Null when the request's Origin may connect; otherwise the 403 to answer.</returns>
    public HttpResponse? Check(HttpRequestHead request, string? host, bool https)
    {
        var current = _options.Current;
        var origin = request.GetHeader("Origin");
        bool allowed = origin is null
            ? current.Origins.AllowMissing
            : IsAllowed(origin, Patterns(current.Origins.Allowed), host, https);
        return allowed
            ? null
            : HttpResponse.Text(403, origin is null
                ? "A request without an Origin header is not allowed here."
                : $"Origin {origin} is not allowed to connect (see Origins:Allowed).");
    }

    private static bool IsAllowed(string origin, OriginPattern[] patterns, string? host, bool tls)
    {
        foreach (var pattern in patterns)
        {
            if (pattern.Matches(origin, host, tls))
            {
                return true;
            }
        }

        return false;
    }

    private OriginPattern[] Patterns(string[] allowed) => _patterns.For(allowed);
}
