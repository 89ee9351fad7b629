using Serilog;
using WsGateway.Broadcasting;
using WsGateway.Contracts;

namespace WsGateway.Commands;

/// <summary>What one hook may do with its session; a refusal is kept for the session to act on once its hooks have run.</summary>
internal sealed class SessionHookContext : ISessionHookContext
{
    private readonly CommandSession _session;

    public SessionHookContext(CommandSession session, SessionHook hook, bool opening, CancellationToken cancellationToken)
    {
        _session = session;
        Opening = opening;
        CancellationToken = cancellationToken;
        Logger = session.Log.ForContext("Hook", hook.Source);
    }

    public ISession Session => _session;
    public CancellationToken CancellationToken { get; }
    public ILogger Logger { get; }

    private bool Opening { get; }

    /// <summary>The close code and reason of a refusal; null while the session is not refused.</summary>
    public (int Code, string Reason)? Refusal { get; private set; }

    public ValueTask JoinGroupAsync(string group) => _session.JoinGroupAsync(group);

    public ValueTask LeaveGroupAsync(string group) => _session.LeaveGroupAsync(group);

    /// <summary>Text from the session's hook to any audience (what hook scripts' globals need beyond the contract's).</summary>
    public ValueTask SendAsync(Audience to, string text) => _session.SendAsync(to, text, CancellationToken);

    public IReadOnlyList<ISession> LocalGroupMembers(string group)
    {
        GroupNames.ThrowIfInvalid(group);
        return _session.LocalGroupMembers(group);
    }

    public ValueTask SendToGroupAsync(string group, string text) => SendAsync(Audience.Group(group), text);

    public ValueTask SendToUserAsync(string user, string text) => SendAsync(Audience.User(user), text);

    public ValueTask RefuseAsync(int code, string reason)
    {
        if (!(code is 1000 or 1008 or (>= 3000 and <= 4999)))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "A hook refuses with 1000, 1008 or a code from 3000 to 4999.");
        }

        ArgumentNullException.ThrowIfNull(reason);

        if (!Opening)
        {
            throw new InvalidOperationException("A session can be refused only when it opens.");
        }

        Refusal = (code, reason);
        return ValueTask.CompletedTask;
    }
}
