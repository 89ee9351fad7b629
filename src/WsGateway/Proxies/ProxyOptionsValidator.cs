using WsGateway.Options;

namespace WsGateway.Proxies;

/// <summary>Checks <c>Proxies</c>.</summary>
internal static class ProxyOptionsValidator
{
    public static void Validate(ProxyOptions proxies, OptionProblems problems)
    {
        for (int i = 0; i < proxies.TrustedProxies.Length; i++)
        {
            if (!TrustedNetworks.TryParse(proxies.TrustedProxies[i], out _, out var problem))
            {
                problems.Add($"{OptionProblems.Element("Proxies:TrustedProxies", i)} \"{proxies.TrustedProxies[i]}\" is not an address or range ({problem})");
            }
        }

        if (proxies.ProxyProtocol && proxies.TrustedProxies.Length == 0)
        {
            problems.Add("Proxies:ProxyProtocol is true but Proxies:TrustedProxies is empty " +
                         "(only a trusted proxy may send a PROXY header: list the load balancers' addresses)");
        }

        for (int i = 0; i < proxies.ForwardedHeaders.Length; i++)
        {
            var header = proxies.ForwardedHeaders[i];
            if (!Enum.IsDefined(header))
            {
                problems.Add($"{OptionProblems.Element("Proxies:ForwardedHeaders", i)} must be one of {string.Join(", ", Enum.GetNames<ForwardedHeader>())} (was {header})");
            }
            else if (header != ForwardedHeader.For && proxies.TrustedProxies.Length == 0)
            {
                // For is the default and harmless alone; asking for Proto or Host expects a proxy whose word is taken.
                problems.Add($"{OptionProblems.Element("Proxies:ForwardedHeaders", i)} is {header} but Proxies:TrustedProxies is empty " +
                             "(forwarding headers are only read from a trusted proxy: list the load balancers' addresses)");
            }
        }
    }
}
