namespace WsGateway.Contracts;

/// <summary>A member of a group, on any gateway of the cluster.</summary>
/// <param name="SessionId">The session's id (<see cref="ISession.Id"/>).</param>
/// <param name="User">Its identity name when it is authenticated; null for an anonymous session.</param>
/// <param name="Node">The gateway it is connected to (<c>Cluster:NodeName</c>).</param>
/// <param name="ConnectedAt">When its connection opened.</param>
public sealed record GroupMember(string SessionId, string? User, string Node, DateTimeOffset ConnectedAt);

/// <summary>The members of a group across the cluster, as the gateways that answered in time gave them.</summary>
/// <param name="Members">In no particular order.</param>
/// <param name="MissingNodes">
/// Gateways heard from recently that did not answer within <c>Cluster:QueryTimeoutSeconds</c> (or, while the cluster
/// bus is down, every other gateway): their members are not in <paramref name="Members"/>. Empty when the list is whole.
/// </param>
public sealed record GroupPresence(IReadOnlyList<GroupMember> Members, IReadOnlyList<string> MissingNodes);
