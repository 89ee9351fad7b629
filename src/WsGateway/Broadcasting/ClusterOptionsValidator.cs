using WsGateway.Contracts;
using WsGateway.Options;

namespace WsGateway.Broadcasting;

/// <summary>Checks <c>Cluster</c>.</summary>
internal static class ClusterOptionsValidator
{
    public static void Validate(ClusterOptions cluster, OptionProblems problems)
    {
        if (cluster.Redis.Length > 0)
        {
            try
            {
                _ = StackExchange.Redis.ConfigurationOptions.Parse(cluster.Redis);
            }
            catch (ArgumentException ex)
            {
                // Not the string itself: it may hold a password.
                problems.Add($"Cluster:Redis is not a Redis connection string: {ex.Message}");
            }
        }

        if (!OptionProblems.IsToken(cluster.ChannelPrefix))
        {
            problems.Add($"Cluster:ChannelPrefix \"{cluster.ChannelPrefix}\" must be letters, digits and punctuation without spaces");
        }

        if (cluster.NodeName.Length > 0 && !CommandNames.IsValid(cluster.NodeName))
        {
            problems.Add($"Cluster:NodeName \"{cluster.NodeName}\" must be letters, digits, '-', '_' and '.'");
        }

        if (!(cluster.HeartbeatSeconds >= 0.1 && cluster.HeartbeatSeconds <= 60))
        {
            problems.Add(OptionProblems.Invariant($"Cluster:HeartbeatSeconds must be between 0.1 and 60 (was {cluster.HeartbeatSeconds})"));
        }

        if (!(cluster.QueryTimeoutSeconds >= 0.1 && cluster.QueryTimeoutSeconds <= 60))
        {
            problems.Add(OptionProblems.Invariant($"Cluster:QueryTimeoutSeconds must be between 0.1 and 60 (was {cluster.QueryTimeoutSeconds})"));
        }
    }
}
