using System.Globalization;
using System.Net;
using WsGateway.Http;

namespace WsGateway.Proxies;

/// <summary>
/// Finds the client in <c>X-Forwarded-For</c>: each proxy appends the address it got the request from, so reading from
/// the right, every hop a trusted proxy reported is believed, and the first address that is not a trusted proxy is the
/// client. Anything to its left was written by the client (or by proxies nobody vouches for) and is ignored, so a
/// spoofed header cannot hide the real client. Pure: no I/O.
/// </summary>
internal static class ForwardedFor
{
    /// <param name="peer">Who sent the request: the connection's peer (or the PROXY header's source).</param>
    /// <param name="values">Every <c>X-Forwarded-For</c> header's value, in the order received (they form one list).</param>
    /// <returns>
    /// The right-most hop that is not a trusted proxy; the left-most hop when all are trusted; <paramref name="peer"/>
    /// when the peer is not trusted or the header is absent. A hop that is not an address (<c>unknown</c>, garbage)
    /// stops the walk at the trusted proxy that reported it. Port 0 unless the hop names one.
    /// </returns>
    public static IPEndPoint Resolve(IPEndPoint peer, IReadOnlyList<string> values, TrustedNetworks trusted)
    {
        var current = peer;
        for (int v = values.Count - 1; v >= 0; v--)
        {
            var list = values[v].AsSpan();
            while (true)
            {
                if (!trusted.Contains(current.Address))
                {
                    return current;
                }

                int comma = list.LastIndexOf(',');
                var hop = list[(comma + 1)..].Trim();
                list = comma < 0 ? [] : list[..comma];
                if (hop.IsEmpty)
                {
                    if (comma < 0)
                    {
                        break;
                    }

                    continue;
                }

                if (!TryParseHop(hop, out var address))
                {
                    return current;
                }

                current = address;
                if (comma < 0)
                {
                    break;
                }
            }
        }

        return current;
    }

    /// <summary>The right-most element of a comma-separated header (the one the nearest proxy wrote), or null.</summary>
    public static string? LastElement(IReadOnlyList<string> values)
    {
        for (int v = values.Count - 1; v >= 0; v--)
        {
            var list = values[v].AsSpan();
            while (!list.IsEmpty)
            {
                int comma = list.LastIndexOf(',');
                var element = list[(comma + 1)..].Trim();
                if (!element.IsEmpty)
                {
                    return element.ToString();
                }

                list = comma < 0 ? [] : list[..comma];
            }
        }

        return null;
    }

    /// <summary><c>1.2.3.4</c>, <c>1.2.3.4:80</c>, <c>2001:db8::1</c>, <c>[2001:db8::1]</c> or <c>[2001:db8::1]:80</c>.</summary>
    internal static bool TryParseHop(ReadOnlySpan<char> text, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (!HostAndPort.TrySplit(text, out var host, out var port))
        {
            return false;
        }

        if (host.StartsWith('['))
        {
            host = host[1..^1];
        }

        if (!IPAddress.TryParse(host, out var address) ||
            (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && host.Count('.') != 3))
        {
            return false;
        }

        endPoint = new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, port.GetValueOrDefault());
        return true;
    }
}
