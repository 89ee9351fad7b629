namespace WsGateway.Options;

public sealed record ListenOptions
{
    /// <summary>IP address to bind; <c>0.0.0.0</c> or <c>::</c> for every interface.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (logged as <c>Listening on ws://HOST:PORT</c>).</summary>
    public int Port { get; set; } = 12345;

    /// <summary>
    /// Run socket completions on the socket engine's threads instead of handing each to the thread pool (the host
    /// applies it at startup; see <c>Transport/InlineCompletions</c>): a thread hop less per read, which makes echo and
    /// relay traffic faster, commands no slower. The gateway keeps only its receive loops' framing and its sends on
    /// those threads; handshakes, HTTP routes, commands and plugin code run on the thread pool. Off: every
    /// completion goes through the thread pool.
    /// </summary>
    public bool InlineCompletions { get; set; } = true;
}
