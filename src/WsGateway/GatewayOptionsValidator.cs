using WsGateway.Api;
using WsGateway.Authentication;
using WsGateway.Broadcasting;
using WsGateway.Commands;
using WsGateway.Connections;
using WsGateway.Handshake;
using WsGateway.Listening;
using WsGateway.Options;
using WsGateway.Plugins;
using WsGateway.Proxies;
using WsGateway.Scripts;

namespace WsGateway;

/// <summary>
/// Checks bound <see cref="GatewayOptions"/> by asking each feature's validator, and collects every invalid value, each
/// message starting with the key (<c>Commands:Paths[1]</c>), so an operator can fix them all in one edit.
/// </summary>
internal static class GatewayOptionsValidator
{
    public static IReadOnlyList<string> Validate(GatewayOptions options)
    {
        var problems = new OptionProblems();
        ListenOptionsValidator.Validate(options, problems);
        HandshakeOptionsValidator.Validate(options, problems);
        if (options.Metrics.ApiKey.Length is > 0 and < 16)
        {
            // The key itself is never repeated: validation messages reach logs and terminals.
            problems.Add("Metrics:ApiKey is too short to be a secret (at least 16 characters)");
        }

        // Built here as the handshake builds them, so a key that does not load refuses the configuration.
        var authentication = new List<string>();
        _ = AuthenticationMethods.Build(options.Authentication, options.ResolvePath, authentication);
        authentication.ForEach(problems.Add);
        LimitsOptionsValidator.Validate(options.Limits, problems);
        RoutePaths.Validate(options.Echo, options.Commands, problems);
        CommandOptionsValidator.Validate(options.Commands, problems);
        PluginOptionsValidator.Validate(options.Plugins, problems);
        ScriptOptionsValidator.Validate(options.Scripts, problems);
        problems.Seconds("Shutdown:ReadinessGraceSeconds", options.Shutdown.ReadinessGraceSeconds, zeroAllowed: true);
        problems.Seconds("Shutdown:DrainSeconds", options.Shutdown.DrainSeconds, zeroAllowed: true);
        ClusterOptionsValidator.Validate(options.Cluster, problems);
        ProxyOptionsValidator.Validate(options.Proxies, problems);
        ApiOptionsValidator.Validate(options.Api, problems);
        HistoryOptionsValidator.Validate(options, problems);
        return problems.Messages;
    }
}
