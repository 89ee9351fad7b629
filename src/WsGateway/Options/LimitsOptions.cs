namespace WsGateway.Options;

public sealed class LimitsOptions
{
    /// <summary>Largest message (all fragments together), inclusive; larger ones close with 1009.</summary>
    public long MaxMessageBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest HTTP request head (request line and headers); larger ones get 431.</summary>
    public int MaxHandshakeBytes { get; set; } = 8 * 1024;

    /// <summary>Time a client has to send its whole request head; then the socket is dropped.</summary>
    public double HandshakeTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// Bytes that may wait to be sent to one peer. A send that finds more than this already waiting aborts the
    /// connection (a peer that stops reading must not make the server buffer without bound).
    /// </summary>
    public long SendBufferBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>After the gateway sends a close frame, how long it waits for the peer's before dropping TCP.</summary>
    public double CloseTimeoutSeconds { get; set; } = 5;
}
