namespace WsGateway.Options;

/// <summary>
/// The HTTP API for backends under <c>/api/v1/</c> (docs/api.md). Callers authenticate with
/// <c>Authentication:ApiKeys</c>; role <c>publisher</c> may publish, role <c>admin</c> may do everything.
/// </summary>
public sealed record ApiOptions
{
    /// <summary>The largest request body read (413 above it, without reading it). Also bounds any plain-HTTP body.</summary>
    public int MaxBodyBytes { get; set; } = 65536;

    /// <summary>Sustained requests per second one API key may make (token bucket refill rate). 0 = no limit.</summary>
    public double RequestsPerSecond { get; set; } = 100;

    /// <summary>Requests one API key may make in a burst above the sustained rate (bucket size).</summary>
    public int Burst { get; set; } = 200;
}
