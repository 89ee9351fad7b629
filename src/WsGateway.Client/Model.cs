using System.Net.WebSockets;
using System.Text.Json;

namespace WsGateway.Client;

/// <summary>How a <see cref="GatewayClient"/> connects, reconnects and calls.</summary>
public sealed record GatewayClientOptions
{
    /// <summary>Sent as the <c>access_token</c> query parameter.</summary>
    public string? Token { get; init; }

    /// <summary>Asked for a token before connecting when <see cref="Token"/> is null, and once more after a refusal (close 4401).</summary>
    public Func<CancellationToken, ValueTask<string>>? GetToken { get; init; }

    /// <summary>Reconnect after a lost connection, with exponential back-off and full jitter (default true).</summary>
    public bool Reconnect { get; init; } = true;

    /// <summary>The first back-off ceiling, doubled per attempt.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The largest back-off.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a call may take before it fails with <c>timeout</c> (<see cref="Timeout.InfiniteTimeSpan"/> for ever).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The route's commands that join and leave a group.</summary>
    public string JoinCommand { get; init; } = "join";

    /// <inheritdoc cref="JoinCommand"/>
    public string LeaveCommand { get; init; } = "leave";

    /// <summary>Called on every new <see cref="ClientWebSocket"/>'s options (headers, certificates, proxy).</summary>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; init; }
}

/// <summary>The gateway's first frame on a connection.</summary>
public sealed record Welcome(string Session, string Node, Identity Identity, string Resume);

/// <summary>Who the gateway thinks is connected.</summary>
public sealed record Identity(string Name, IReadOnlyList<string> Roles, bool Authenticated, DateTimeOffset? ExpiresAt);

/// <summary>Who sent a broadcast or group message.</summary>
public sealed record Sender(string Session, string User, string Node);

/// <summary>One reply of a call: the text a command sent, or the JSON of a data reply.</summary>
public readonly record struct Reply(string? Text, JsonElement? Data)
{
    /// <summary>The reply's JSON as <typeparamref name="T"/> (camelCase names, as commands send them).</summary>
    public T? As<T>() => Data is { } data ? data.Deserialize<T>(JsonSerializerOptions.Web) : JsonSerializer.Deserialize<T>(Text ?? "null", JsonSerializerOptions.Web);

    /// <summary>The text, or the JSON of a data reply.</summary>
    public override string ToString() => Text ?? Data?.GetRawText() ?? "";
}

/// <summary>A push: a broadcast, a group message, or an event a command sent.</summary>
/// <param name="Event"><c>broadcast</c>, <c>group</c>, <c>direct</c>, or a name a command or a backend chose.</param>
/// <param name="Group">With <c>group</c>: the group it was sent to.</param>
/// <param name="From">Who sent it, when a session did.</param>
/// <param name="Text">The text sent, or null for JSON <paramref name="Data"/>.</param>
/// <param name="Data">The JSON sent, or null for <paramref name="Text"/>.</param>
/// <param name="Offset">For a group that keeps a history: the message's position in it (docs/protocol.md).</param>
/// <param name="Epoch">With <paramref name="Offset"/>: the history's epoch.</param>
public sealed record GatewayEvent(string Event, string? Group, Sender? From, string? Text, JsonElement? Data, long? Offset = null, string? Epoch = null);

/// <summary>Where a <see cref="GatewayClient"/> is.</summary>
public enum GatewayClientState
{
    /// <summary>Not welcomed yet.</summary>
    Connecting,

    /// <summary>Welcomed, groups joined: calls go out.</summary>
    Open,

    /// <summary>The connection was lost; waiting to connect again.</summary>
    Reconnecting,

    /// <summary>Disposed, or the credentials were refused: nothing more happens.</summary>
    Closed,
}

/// <summary>
/// A call that ended in an error: <see cref="Code"/> is the gateway's (docs/protocol.md), or this library's own:
/// <c>timeout</c>, <c>disconnected</c> (the connection was lost while the call ran: it may or may not have run),
/// <c>closed</c> (the client was disposed).
/// </summary>
public class CallException(string code, string message) : Exception(message)
{
    /// <summary>The error's code (docs/protocol.md), for programs.</summary>
    public string Code { get; } = code;
}

/// <summary>The gateway refused the credentials (close 4401 or 4403): reconnecting with the same ones would not help.</summary>
public sealed class AuthenticationException(string code, string message, int closeCode) : CallException(code, message)
{
    /// <summary>4401 (no or refused credentials) or 4403 (not allowed here).</summary>
    public int CloseCode { get; } = closeCode;
}

/// <summary>What a recovery after a reconnect gave one group (<see cref="GatewayClient.Recovered"/>).</summary>
/// <param name="Group">The group.</param>
/// <param name="Recovered">True when every message missed was raised; false when some were gone or the history was reset.</param>
/// <param name="Missed">How many missed messages were raised.</param>
/// <param name="Error">The history call's error code, when it failed.</param>
public sealed record RecoveryResult(string Group, bool Recovered, int Missed, string? Error);
