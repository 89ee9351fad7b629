namespace WsGateway.Options;

/// <summary>Several gateways sharing broadcasts and groups through Redis pub/sub. Read at startup.</summary>
public sealed record ClusterOptions
{
    /// <summary>
    /// A StackExchange.Redis configuration string (<c>localhost:6379</c>, <c>redis1:6379,password=…</c>); empty: this
    /// gateway runs alone and needs no Redis.
    /// </summary>
    public string Redis { get; set; } = "";

    /// <summary>The Redis channel the gateways share is <c>PREFIX:bus</c>; gateways with different prefixes do not hear each other.</summary>
    public string ChannelPrefix { get; set; } = "wsgateway";

    /// <summary>This gateway's name in logs, <c>/metrics</c> and <c>nodes</c>; empty: the machine name and process id.</summary>
    public string NodeName { get; set; } = "";

    /// <summary>How often a node tells the others it is alive and how many sessions it has; silent for three times this, it is forgotten.</summary>
    public double HeartbeatSeconds { get; set; } = 2;

    /// <summary>
    /// How long a cluster-wide question (presence, session lists, disconnects) waits for the other nodes' answers; a
    /// node that has not answered by then is reported as missing.
    /// </summary>
    public double QueryTimeoutSeconds { get; set; } = 2;
}
