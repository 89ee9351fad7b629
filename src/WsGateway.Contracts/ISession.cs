using System.Net;

namespace WsGateway.Contracts;

/// <summary>One WebSocket connection on a command route.</summary>
public interface ISession
{
    /// <summary>
    /// Sixteen hex digits, unique in the cluster (counted up from a random start per process); appears in every log
    /// line of the session, and addresses it (<see cref="ICommandContext.SendToSessionAsync"/>).
    /// </summary>
    string Id { get; }

    /// <summary>The peer's address and port.</summary>
    IPEndPoint? RemoteEndPoint { get; }

    /// <summary>When the opening handshake completed.</summary>
    DateTimeOffset ConnectedAt { get; }

    /// <summary>The request path the client connected to (for example <c>/</c>).</summary>
    string Path { get; }

    /// <summary>
    /// Who connected, as the authentication method that accepted the handshake saw it;
    /// <see cref="CallerIdentity.Anonymous"/> when the gateway asks for no credentials.
    /// </summary>
    /// <remarks>Has a default so that sessions written before it (test doubles in plugin projects) still compile.</remarks>
    CallerIdentity Identity => CallerIdentity.Anonymous;

    /// <summary>The groups this session has joined (<see cref="ICommandContext.JoinGroupAsync"/>), in no particular order.</summary>
    IReadOnlyCollection<string> Groups => [];

    /// <summary>
    /// State that lives as long as the connection, shared by all commands (for example the name a client gave).
    /// Commands of one connection run one at a time, but use keys that name your plugin to avoid collisions.
    /// </summary>
    IDictionary<string, object?> Items { get; }
}
