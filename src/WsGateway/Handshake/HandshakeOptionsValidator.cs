using WsGateway.Options;

namespace WsGateway.Handshake;

/// <summary>Checks what the handshake reads: <c>Hosts</c>, <c>Origins</c> and <c>Compression</c>.</summary>
internal static class HandshakeOptionsValidator
{
    public static void Validate(GatewayOptions options, OptionProblems problems)
    {
        var hosts = options.Hosts.Allowed;
        for (int i = 0; i < hosts.Length; i++)
        {
            if (HostFilter.PatternProblem(hosts[i]) is { } problem)
            {
                problems.Add($"{OptionProblems.Element("Hosts:Allowed", i)} \"{hosts[i]}\" is not a host pattern ({problem})");
            }
        }

        var origins = options.Origins.Allowed;
        for (int i = 0; i < origins.Length; i++)
        {
            if (OriginPattern.TryParse(origins[i], out var problem) is null)
            {
                problems.Add($"{OptionProblems.Element("Origins:Allowed", i)} \"{origins[i]}\" is not an origin ({problem})");
            }
        }

        problems.Range("Compression:MinMessageBytes", options.Compression.MinMessageBytes, 1, int.MaxValue);
        problems.Range("Compression:ClientMaxWindowBits", options.Compression.ClientMaxWindowBits, 8, 15);
    }
}
