namespace WsGateway.Options;

public sealed record ShutdownOptions
{
    /// <summary>
    /// On SIGTERM or Ctrl+C, how long <c>/readyz</c> answers 503 while the gateway still serves as usual, before the
    /// listener closes and the drain starts: the time a load balancer needs to see it and stop sending clients.
    /// </summary>
    public double ReadinessGraceSeconds { get; set; }

    /// <summary>On SIGTERM or Ctrl+C, how long in-flight commands and close handshakes may take before exit.</summary>
    public double DrainSeconds { get; set; } = 5;
}
