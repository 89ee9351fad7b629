using WsGateway.Broadcasting;
using WsGateway.Commands;
using WsGateway.Contracts;

namespace WsGateway.Api;

/// <summary>
/// The sessions of the whole cluster, for the API: every node is asked over the bus (<see cref="CommandRoute.AskClusterAsync"/>)
/// and answers for its own within <c>Cluster:QueryTimeoutSeconds</c>; the results name the nodes that did not.
/// </summary>
internal sealed class SessionDirectory(CommandRoute route)
{
    /// <summary>Open sessions, those of <paramref name="user"/> and in <paramref name="group"/> when given, oldest first.</summary>
    public async ValueTask<SessionList> ListAsync(string? user, string? group, CancellationToken cancellationToken)
    {
        var answer = await route.AskClusterAsync(new ClusterQuery(ClusterQueryKind.Sessions, User: user, Group: group), route.ClusterQueryTimeout, cancellationToken);
        IReadOnlyList<SessionInfo> sessions =
        [
            .. answer.Answers.SelectMany(a => a.Sessions)
                .Select(s => new SessionInfo(
                    s.Id, s.User ?? CallerIdentity.Anonymous.Name, s.User is not null, s.Address, s.ConnectedAt, s.Path, s.Groups, s.Node,
                    s.Roles, s.Traffic, s.Running))
                .OrderBy(s => s.ConnectedAt)
                .ThenBy(s => s.Id, StringComparer.Ordinal),
        ];
        return new SessionList(sessions, answer);
    }

    /// <summary>Closes the session <paramref name="id"/>, or every session of <paramref name="user"/>, wherever they are.</summary>
    public async ValueTask<DisconnectResult> DisconnectAsync(string? id, string? user, string reason, CancellationToken cancellationToken)
    {
        var query = new ClusterQuery(
            ClusterQueryKind.Disconnect, User: user, Session: id, CloseCode: SessionDirectoryReasons.CloseCode, Reason: SessionDirectoryReasons.CloseReason(reason));
        var answer = await route.AskClusterAsync(query, route.ClusterQueryTimeout, cancellationToken);
        return new DisconnectResult(answer.Answers.Sum(a => a.Disconnected), answer);
    }
}

/// <summary>Sessions, and whether every node that could hold one answered.</summary>
internal sealed record SessionList(IReadOnlyList<SessionInfo> Sessions, ClusterAnswer Answer);

/// <summary>How many sessions were closed, and whether every node that could hold one answered.</summary>
internal sealed record DisconnectResult(int Disconnected, ClusterAnswer Answer);
