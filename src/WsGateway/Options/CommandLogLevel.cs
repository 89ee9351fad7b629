namespace WsGateway.Options;

/// <summary>The level of the log line written for every command run (<c>Commands:LogLevel</c>).</summary>
public enum CommandLogLevel
{
    /// <summary>No line per command.</summary>
    Off,
    Verbose,
    Debug,
    Information,
    Warning,
}
