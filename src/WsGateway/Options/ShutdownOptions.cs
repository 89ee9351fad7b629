namespace WsGateway.Options;

public sealed class ShutdownOptions
{
    /// <summary>On SIGTERM or Ctrl+C, how long in-flight commands and close handshakes may take before exit.</summary>
    public double DrainSeconds { get; set; } = 5;
}
