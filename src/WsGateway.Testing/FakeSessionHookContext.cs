using Serilog;
using WsGateway.Contracts;

namespace WsGateway.Testing;

/// <summary>
/// A session hook's context for unit tests: it records the hook's joins (which also change the
/// <see cref="FakeSession.Groups"/> of <see cref="Session"/>), sends, refusal and log messages.
/// </summary>
public sealed class FakeSessionHookContext : ISessionHookContext
{
    private readonly Recording _recording = new();

    /// <param name="session">The session the hook runs for; a new anonymous <see cref="FakeSession"/> when null.</param>
    public FakeSessionHookContext(FakeSession? session = null) => Session = session ?? new FakeSession();

    /// <summary>The session the hook runs for.</summary>
    public FakeSession Session { get; }

    ISession ISessionHookContext.Session => Session;

    /// <inheritdoc/>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>A logger whose events end up in <see cref="LogMessages"/>.</summary>
    public ILogger Logger => _recording.Logger;

    /// <summary>The groups the hook joined the session to, in order.</summary>
    public IReadOnlyList<string> JoinedGroups => _recording.JoinedGroups;

    /// <summary>Texts sent to groups (<see cref="SentText.To"/> is the group).</summary>
    public IReadOnlyList<SentText> GroupSends => _recording.GroupSends;

    /// <summary>Texts sent to users (<see cref="SentText.To"/> is the user).</summary>
    public IReadOnlyList<SentText> UserSends => _recording.UserSends;

    /// <summary>The refusal the hook asked for; null when it let the session in.</summary>
    public CloseRequest? Refused => _recording.Close;

    /// <summary>The messages the hook logged, rendered (every level).</summary>
    public IReadOnlyList<string> LogMessages => _recording.LogMessages;

    /// <inheritdoc/>
    public ValueTask JoinGroupAsync(string group) => _recording.Join(Session, group);

    /// <inheritdoc/>
    public ValueTask SendToGroupAsync(string group, string text) => _recording.ToGroup(group, text);

    /// <inheritdoc/>
    public ValueTask SendToUserAsync(string user, string text) => _recording.ToUser(user, text);

    /// <inheritdoc/>
    public ValueTask RefuseAsync(int code, string reason) => _recording.Closing(code, reason);
}
