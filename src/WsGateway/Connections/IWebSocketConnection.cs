using System.Net;
using Serilog;
using WsGateway.Contracts;
using WsGateway.Sending;

namespace WsGateway.Connections;

/// <summary>What a route sees of a connection: who it is, its one sender, and how to close it.</summary>
internal interface IWebSocketConnection
{
    string Id { get; }

    /// <summary>The client's address: the peer's, or the one a trusted proxy gave.</summary>
    IPEndPoint? RemoteEndPoint { get; }

    string Path { get; }

    /// <summary>The subprotocol agreed in the handshake, or null.</summary>
    string? Subprotocol { get; }

    DateTimeOffset ConnectedAt { get; }

    /// <summary>Who connected, as authentication saw it in the handshake.</summary>
    CallerIdentity Identity { get; }

    /// <summary>A logger carrying the session's id, address and user.</summary>
    ILogger Log { get; }

    /// <summary>Fires once the connection is gone; work done for the connection watches it.</summary>
    CancellationToken Closed { get; }

    /// <summary>Where everything sent to this connection goes, in order.</summary>
    FrameSender Sender { get; }

    /// <summary>Data messages received so far, and their payload bytes (after inflation).</summary>
    (long Messages, long Bytes) Received { get; }

    /// <summary>
    /// Starts the close handshake: sends a close frame (once) and waits for the peer's answer for at most
    /// <c>Limits:CloseTimeoutSeconds</c> before dropping TCP.
    /// </summary>
    ValueTask CloseAsync(int code, string? reason);
}
