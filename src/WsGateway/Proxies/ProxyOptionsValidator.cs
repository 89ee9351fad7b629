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
    }
}
