namespace WsGateway.Options;

public sealed record LimitsOptions
{
    /// <summary>Largest message (all fragments together), inclusive; larger ones close with 1009.</summary>
    /// <remarks>
    /// 1 MiB: far more than any command needs, and small enough that the connections one address may open cannot pin
    /// much (SignalR's default is 32 KB, node ws's 100 MiB); <see cref="MemoryBudgetBytes"/> bounds them all together.
    /// </remarks>
    public long MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest HTTP request head (request line and headers); larger ones get 431.</summary>
    public int MaxHandshakeBytes { get; set; } = 8 * 1024;

    /// <summary>
    /// Time the whole handshake may take (request head, authentication, the answer being read); then the socket is
    /// dropped, after a 503 when authentication was still running.
    /// </summary>
    public double HandshakeTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// Bytes that may wait to be sent to one peer. A send that finds more than this already waiting aborts the
    /// connection (a peer that stops reading must not make the server buffer without bound).
    /// </summary>
    public long SendBufferBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Bytes buffered for all connections together: messages being received and bytes waiting to be sent. A connection
    /// whose message or send would pass it is closed (1013) or dropped instead, so no set of clients can make the
    /// process grow past it. 0 = no budget.
    /// </summary>
    public long MemoryBudgetBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>
    /// Sockets accepted that have not finished their handshake (PROXY header, TLS, HTTP upgrade); past it new sockets
    /// are closed at once. 0 = no limit.
    /// </summary>
    public int MaxPendingHandshakes { get; set; } = 1_000;

    /// <summary>
    /// After the gateway sends a close frame, how long it waits for the peer's, and then for the peer to close TCP
    /// after the gateway's half-close, before dropping TCP.
    /// </summary>
    public double CloseTimeoutSeconds { get; set; } = 5;

    /// <summary>Open WebSocket connections on all routes together; more get 503 before the upgrade. 0 = no limit.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>Open WebSocket connections from one remote IP address; more get 503 before the upgrade. 0 = no limit.</summary>
    public int MaxConnectionsPerIp { get; set; } = 1_000;

    /// <summary>A connection that sends no frame for this long is closed with 1001. 0 = never.</summary>
    public double IdleTimeoutSeconds { get; set; }

    /// <summary>How often the gateway pings a connection it has heard nothing from. 0 = no keepalive pings.</summary>
    public double KeepAliveSeconds { get; set; } = 30;

    /// <summary>How long the peer has to answer a keepalive ping (with any frame) before it is dropped.</summary>
    public double KeepAliveTimeoutSeconds { get; set; } = 10;
}
