namespace WsGateway.Options;

public sealed record ListenOptions
{
    /// <summary>IP address to bind; <c>0.0.0.0</c> or <c>::</c> for every interface.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (logged as <c>Listening on ws://HOST:PORT</c>).</summary>
    public int Port { get; set; } = 12345;

    /// <summary>
    /// Run socket completions on the socket engine's thread instead of the thread pool (the host applies it at
    /// startup; see <c>Transport/InlineCompletions</c>). Faster for echo and relay traffic, no faster for commands.
    /// </summary>
    public bool InlineCompletions { get; set; }
}
