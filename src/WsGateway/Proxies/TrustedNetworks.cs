using System.Net;
using System.Net.Sockets;

namespace WsGateway.Proxies;

/// <summary>The parsed <c>Proxies:TrustedProxies</c>: whether an address belongs to a trusted proxy.</summary>
internal sealed class TrustedNetworks
{
    private readonly IPNetwork[] _networks;

    private TrustedNetworks(IPNetwork[] networks) => _networks = networks;

    public static TrustedNetworks None { get; } = new([]);

    /// <summary>True when no proxy is trusted: the gateway then looks at nothing but the connection's own address.</summary>
    public bool IsEmpty => _networks.Length == 0;

    /// <summary>Parses entries the configuration check accepted; an entry that does not parse is left out.</summary>
    public static TrustedNetworks Parse(IEnumerable<string> entries) =>
        new([.. entries.Select(entry => TryParse(entry, out var network, out _) ? network : (IPNetwork?)null).OfType<IPNetwork>()]);

    /// <summary>An address (a network of one) or a CIDR range whose host bits are zero.</summary>
    /// <param name="problem">Why <paramref name="text"/> is neither, for the configuration check.</param>
    public static bool TryParse(string text, out IPNetwork network, out string? problem)
    {
        problem = null;
        network = default;
        text = text.Trim();
        if (!text.Contains('/', StringComparison.Ordinal))
        {
            if (IPAddress.TryParse(text, out var address) && !text.Contains('[', StringComparison.Ordinal) &&
                (address.AddressFamily == AddressFamily.InterNetworkV6 || text.Count(c => c == '.') == 3))
            {
                network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
                return true;
            }

            problem = "expected an IP address like 10.0.0.5 or a CIDR range like 10.0.0.0/8";
            return false;
        }

        int slash = text.IndexOf('/', StringComparison.Ordinal);
        bool parsed = IPNetwork.TryParse(text, out network);
        if (parsed && IPAddress.TryParse(text.AsSpan(0, slash), out var written) && written.Equals(network.BaseAddress))
        {
            return true;
        }

        // 10.0.0.1/8 (host bits set) is most likely a typo for one address or a narrower range: refuse it rather than
        // trust all of 10.0.0.0/8, and say which range it would have been.
        if (parsed)
        {
            problem = $"host bits are set; the range is {network}";
            return false;
        }

        problem = "expected a CIDR range like 10.0.0.0/8 or fd00::/8";
        return false;
    }

    /// <summary>Whether <paramref name="address"/> is a trusted proxy; IPv4-mapped IPv6 addresses count as IPv4.</summary>
    public bool Contains(IPAddress? address)
    {
        if (address is null || _networks.Length == 0)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
