namespace WsGateway.Options;

/// <summary>Who may read <c>/metrics</c> (command names, connection counts and errors are worth keeping in-house).</summary>
public sealed record MetricsOptions
{
    /// <summary>Answer <c>/metrics</c> only to clients on a loopback address (a scraper on the same machine); others get 403.</summary>
    public bool LoopbackOnly { get; set; }

    /// <summary>
    /// When set, <c>/metrics</c> wants <c>Authorization: Bearer KEY</c> (401 otherwise). At least 16 characters; set it
    /// from the environment (<c>Metrics__ApiKey</c>) rather than in the file.
    /// </summary>
    public string ApiKey { get; set; } = "";
}
