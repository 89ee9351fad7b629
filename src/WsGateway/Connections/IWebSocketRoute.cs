using WsGateway.Protocol;

namespace WsGateway.Connections;

/// <summary>What a WebSocket path does with the messages of the connections it accepted.</summary>
internal interface IWebSocketRoute
{
    /// <summary>
    /// Picks the subprotocol to answer in the 101 response from those the client offered, in the client's order;
    /// null answers none (never one the client did not offer, RFC 6455 4.2.2).
    /// </summary>
    string? SelectSubprotocol(IReadOnlyList<string> offered);

    /// <summary>Called once after the 101 response, before the first message.</summary>
    ValueTask OnOpenAsync(IWebSocketConnection connection);

    /// <summary>
    /// A complete, validated message. <paramref name="payload"/> is only valid until the returned task completes:
    /// the connection reuses the buffer for the next message.
    /// </summary>
    ValueTask OnMessageAsync(IWebSocketConnection connection, Opcode opcode, ReadOnlyMemory<byte> payload);

    /// <summary>Called once when the connection is gone (close handshake done, failed or aborted).</summary>
    ValueTask OnClosedAsync(IWebSocketConnection connection);

    /// <summary>
    /// Finishes the work already accepted from this connection before the gateway sends its close frame (on
    /// shutdown, or in answer to the peer's close). When <paramref name="cancellationToken"/> fires first, what is
    /// cut off is answered at once with an error giving <paramref name="reason"/>; then it returns.
    /// </summary>
    Task DrainAsync(IWebSocketConnection connection, string reason, CancellationToken cancellationToken);
}
