using System.Net;

namespace WsGateway.Contracts;

/// <summary>One WebSocket connection on a command route.</summary>
public interface ISession
{
    /// <summary>A short id unique within this gateway process; appears in every log line of the session.</summary>
    string Id { get; }

    /// <summary>The peer's address and port.</summary>
    IPEndPoint? RemoteEndPoint { get; }

    /// <summary>When the opening handshake completed.</summary>
    DateTimeOffset ConnectedAt { get; }

    /// <summary>The request path the client connected to (for example <c>/</c>).</summary>
    string Path { get; }

    /// <summary>
    /// State that lives as long as the connection, shared by all commands (for example the name a client gave).
    /// Commands of one connection run one at a time, but use keys that name your plugin to avoid collisions.
    /// </summary>
    IDictionary<string, object?> Items { get; }
}
