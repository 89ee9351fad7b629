using System.Globalization;
using System.Net;

namespace WsGateway.Http;

/// <summary>
/// The one reader of <c>host[:port]</c> (RFC 3986 authority without user info): the Host header, X-Forwarded-For hops,
/// origins and the patterns that match them all split the same way and accept the same ports.
/// </summary>
internal static class HostAndPort
{
    /// <summary>
    /// Splits <c>name</c>, <c>name:port</c>, <c>[v6]</c> or <c>[v6]:port</c>, and takes an unbracketed IPv6 address
    /// (two colons or more) whole, without a port. The port, when present, is 1 to 65535 in at most five digits.
    /// </summary>
    /// <param name="host">The host as written, brackets included; not checked further (callers' rules differ).</param>
    /// <param name="port">Null when absent.</param>
    public static bool TrySplit(ReadOnlySpan<char> text, out ReadOnlySpan<char> host, out int? port)
    {
        host = text;
        port = null;
        ReadOnlySpan<char> portText;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            host = text[..(close + 1)];
            if (close + 1 == text.Length)
            {
                return true;
            }

            if (text[close + 1] != ':')
            {
                return false;
            }

            portText = text[(close + 2)..];
        }
        else
        {
            int colon = text.IndexOf(':');
            if (colon < 0 || text.LastIndexOf(':') != colon)
            {
                // No port, or an IPv6 address without brackets (which cannot carry one).
                return true;
            }

            host = text[..colon];
            portText = text[(colon + 1)..];
        }

        if (portText.Length is 0 or > 5
            || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed)
            || parsed is < 1 or > IPEndPoint.MaxPort)
        {
            return false;
        }

        port = parsed;
        return true;
    }
}
