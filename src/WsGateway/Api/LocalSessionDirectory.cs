using WsGateway.Commands;

namespace WsGateway.Api;

/// <summary>The sessions of this node's command route (<see cref="CommandRoute"/>), for the API.</summary>
internal sealed class LocalSessionDirectory : ISessionDirectory
{
    private readonly CommandRoute _route;

    public LocalSessionDirectory(CommandRoute route) => _route = route;

    public string Scope => "thisNode";

    public ValueTask<IReadOnlyList<SessionInfo>> ListAsync(string? user, string? group, CancellationToken cancellationToken)
    {
        var node = _route.Bus.NodeId;
        IReadOnlyList<SessionInfo> sessions =
        [
            .. _route.LocalSessions(user, group)
                .Select(s => new SessionInfo(
                    s.Id, s.Identity.Name, s.Identity.IsAuthenticated, s.RemoteEndPoint?.ToString(), s.ConnectedAt, s.Path,
                    [.. s.Groups.Order(StringComparer.Ordinal)], node))
                .OrderBy(s => s.ConnectedAt)
                .ThenBy(s => s.Id, StringComparer.Ordinal),
        ];
        return ValueTask.FromResult(sessions);
    }

    public ValueTask<bool> DisconnectSessionAsync(string id, string reason, CancellationToken cancellationToken)
    {
        var sessions = _route.LocalSession(id) is { } session ? [session] : Array.Empty<CommandSession>();
        _route.Disconnect(sessions, SessionDirectoryReasons.CloseCode, SessionDirectoryReasons.CloseReason(reason));
        return ValueTask.FromResult(sessions.Length > 0);
    }

    public ValueTask<int> DisconnectUserAsync(string user, string reason, CancellationToken cancellationToken)
    {
        var sessions = _route.LocalSessions(user, null).ToList();
        _route.Disconnect(sessions, SessionDirectoryReasons.CloseCode, SessionDirectoryReasons.CloseReason(reason));
        return ValueTask.FromResult(sessions.Count);
    }
}
