using System.Net;
using WsGateway.Http;

namespace WsGateway.Handshake;

/// <summary>
/// Decides whether a request's Host header names this gateway (DNS rebinding protection, as ASP.NET Core's
/// <c>AllowedHosts</c>): a page whose own name was re-pointed to 127.0.0.1 still sends that name, so it is refused
/// before it reaches a route, an origin check that trusts the Host, or <c>/metrics</c>. Pure: no I/O.
/// </summary>
internal static class HostFilter
{
    /// <summary>What a gateway listening on a loopback address accepts when <c>Hosts:Allowed</c> is empty.</summary>
    public static readonly string[] LoopbackNames = ["localhost", "127.0.0.1", "[::1]"];

    /// <summary>
    /// The patterns in force: the configured ones; else the loopback names when listening on a loopback address; else
    /// null, meaning any host (the gateway cannot know its public names).
    /// </summary>
    public static IReadOnlyList<string>? Effective(string[] configured, IPAddress listenAddress) =>
        configured.Length > 0 ? configured : IPAddress.IsLoopback(listenAddress) ? LoopbackNames : null;

    /// <summary>Whether <paramref name="hostHeader"/> (<c>name[:port]</c>) matches one of <paramref name="patterns"/>.</summary>
    public static bool IsAllowed(string? hostHeader, IReadOnlyList<string> patterns)
    {
        if (hostHeader is null || !TrySplit(hostHeader, out var name, out var port))
        {
            return false;
        }

        foreach (var pattern in patterns)
        {
            if (pattern == "*")
            {
                return true;
            }

            if (!TrySplit(pattern, out var patternName, out var patternPort) || (patternPort is not null && patternPort != port))
            {
                continue;
            }

            bool matches = patternName.StartsWith("*.", StringComparison.Ordinal)
                ? name.EndsWith(patternName[1..], StringComparison.OrdinalIgnoreCase) && name.Length > patternName.Length - 1
                : string.Equals(name, patternName, StringComparison.OrdinalIgnoreCase);
            if (matches)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Why <paramref name="pattern"/> cannot match a Host header, or null.</summary>
    public static string? PatternProblem(string pattern)
    {
        if (pattern == "*")
        {
            return null;
        }

        if (!TrySplit(pattern, out var name, out _))
        {
            return "expected name, name:port, [IPv6], *.domain or *";
        }

        var bare = name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name;
        return bare.Length > 0 && (bare.StartsWith('[') || bare.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
            ? null
            : $"\"{name}\" is not a host name";
    }

    /// <summary>
    /// <c>name</c>, <c>name:port</c>, <c>[v6]</c> or <c>[v6]:port</c> (see <see cref="HostAndPort"/>); the name
    /// without a trailing dot. The port is null when absent.
    /// </summary>
    private static bool TrySplit(string value, out string name, out int? port)
    {
        if (!HostAndPort.TrySplit(value.AsSpan().Trim(), out var host, out port))
        {
            name = "";
            return false;
        }

        name = host.TrimEnd('.').ToString();
        return name.Length > 0 && !name.Contains(' ', StringComparison.Ordinal);
    }
}
