using System.Globalization;
using System.Net;
using System.Net.Sockets;
using WsGateway.Http;

namespace WsGateway.Handshake;

/// <summary>
/// One entry of <c>Origins:Allowed</c>, parsed once by the one parser that both the configuration check and the
/// origin policy use: <c>*</c>, <c>self</c>, <c>null</c>, <c>scheme://host</c> (any port) or
/// <c>scheme://host:port</c>, as browsers send origins (RFC 6454 section 6.1).
/// </summary>
internal sealed class OriginPattern
{
    private enum Kind
    {
        Any,
        Self,
        Null,
        Host,
    }

    private readonly Kind _kind;
    private readonly string _scheme;
    private readonly string _host;
    private readonly string? _port;

    private OriginPattern(Kind kind, string scheme = "", string host = "", string? port = null) =>
        (_kind, _scheme, _host, _port) = (kind, scheme, host, port);

    /// <returns>The pattern, or null with <paramref name="problem"/> saying why the text cannot match an origin.</returns>
    public static OriginPattern? TryParse(string text, out string? problem)
    {
        problem = null;
        if (text == "*")
        {
            return new OriginPattern(Kind.Any);
        }

        if (text.Equals("self", StringComparison.OrdinalIgnoreCase))
        {
            return new OriginPattern(Kind.Self);
        }

        if (text.Equals("null", StringComparison.OrdinalIgnoreCase))
        {
            return new OriginPattern(Kind.Null);
        }

        problem = TrySplit(text, out var scheme, out var host, out var port);
        return problem is null ? new OriginPattern(Kind.Host, scheme, host, port) : null;
    }

    /// <param name="origin">The request's Origin header.</param>
    /// <param name="host">The request's Host header, already checked against <c>Hosts:Allowed</c>.</param>
    /// <param name="tls">Whether the gateway serves wss://, so its own pages are https://.</param>
    public bool Matches(string origin, string? host, bool tls)
    {
        switch (_kind)
        {
            case Kind.Any:
                return true;
            case Kind.Null:
                return origin.Equals("null", StringComparison.OrdinalIgnoreCase);
            case Kind.Self:
                return host is not null && string.Equals(origin, (tls ? "https://" : "http://") + host, StringComparison.OrdinalIgnoreCase);
        }

        return TrySplit(origin, out var scheme, out var originHost, out var port) is null
            && string.Equals(scheme, _scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(originHost, _host, StringComparison.OrdinalIgnoreCase)
            && (_port is null || string.Equals(port, _port, StringComparison.Ordinal));
    }

    /// <returns>Null when <paramref name="text"/> is <c>scheme://host[:port]</c>; otherwise why not.</returns>
    private static string? TrySplit(string text, out string scheme, out string host, out string? port)
    {
        scheme = host = "";
        port = null;
        int separator = text.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0)
        {
            return "expected self, *, null or scheme://host[:port]";
        }

        scheme = text[..separator];
        if (!char.IsAsciiLetter(scheme[0]) || !scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
        {
            return $"\"{scheme}\" is not a scheme";
        }

        var authority = text[(separator + 3)..];
        int end = authority.IndexOfAny(['/', '?', '#']);
        if (end >= 0)
        {
            return $"an origin has no path; write \"{text[..(separator + 3 + end)]}\"";
        }

        if (!HostAndPort.TrySplit(authority, out var hostPart, out var portNumber))
        {
            int close = authority.IndexOf(']', StringComparison.Ordinal);
            return authority.StartsWith('[') && close < 0 ? "the host in brackets is not an IPv6 address"
                : authority.StartsWith('[') && authority[close + 1] != ':' ? "unexpected text after the host"
                : $"the port \"{authority[(authority.LastIndexOf(':') + 1)..]}\" is not a number from 1 to 65535";
        }

        host = hostPart.ToString();
        port = portNumber?.ToString(CultureInfo.InvariantCulture);
        if (host.StartsWith('['))
        {
            if (!IPAddress.TryParse(host[1..^1], out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return "the host in brackets is not an IPv6 address";
            }
        }
        else if (host.Length == 0 || !host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
        {
            return host.Contains('@', StringComparison.Ordinal) ? "an origin has no user name" : "the host is not a host name or IPv4 address";
        }

        return null;
    }
}
