namespace WsGateway.Options;

public sealed record CommandOptions
{
    /// <summary>Paths of the command route. The second one is the path the old tutorial's page connects to.</summary>
    public string[] Paths { get; set; } = ["/", "/websocket/server.php"];

    /// <summary>A command still running after this long is cancelled and answered with an error.</summary>
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>When false, a binary message on the command route closes the connection with 1003.</summary>
    public bool AllowBinary { get; set; }

    /// <summary>Sustained commands per second one connection may send (token bucket refill rate). 0 = no limit.</summary>
    public double MessagesPerSecond { get; set; } = 50;

    /// <summary>Commands one connection may send in a burst above the sustained rate (bucket size).</summary>
    public int Burst { get; set; } = 100;

    /// <summary>What happens to a message over the rate: <c>Reply</c> (an error reply, the message is dropped) or <c>Close</c> (close 1008).</summary>
    public RateLimitAction RateLimitAction { get; set; } = RateLimitAction.Reply;

    /// <summary>WebSocket subprotocols the command route supports, in the gateway's order of preference.</summary>
    public string[] Subprotocols { get; set; } = [];

    /// <summary>
    /// The level of the line logged for every command run (name, outcome, duration, session, user); <c>Off</c> for none.
    /// Logged only when Serilog's minimum level lets it through.
    /// </summary>
    public CommandLogLevel LogLevel { get; set; } = CommandLogLevel.Debug;

    /// <summary>Whether that line carries the command's arguments too (they may hold what callers would not want logged).</summary>
    public bool LogArguments { get; set; }

    public bool Equals(CommandOptions? other) =>
        other is not null
        && OptionLists.Same(Paths, other.Paths)
        && OptionLists.Same(Subprotocols, other.Subprotocols)
        && TimeoutSeconds == other.TimeoutSeconds
        && AllowBinary == other.AllowBinary
        && MessagesPerSecond == other.MessagesPerSecond
        && Burst == other.Burst
        && RateLimitAction == other.RateLimitAction
        && LogLevel == other.LogLevel
        && LogArguments == other.LogArguments;

    public override int GetHashCode() =>
        HashCode.Combine(OptionLists.Hash(Paths), OptionLists.Hash(Subprotocols), TimeoutSeconds, AllowBinary, MessagesPerSecond, Burst, RateLimitAction, HashCode.Combine(LogLevel, LogArguments));
}
