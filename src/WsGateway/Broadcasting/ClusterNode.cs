namespace WsGateway.Broadcasting;

/// <summary>A gateway of the cluster as the bus last heard of it.</summary>
/// <param name="Id">Its node name (<c>Cluster:NodeName</c>).</param>
/// <param name="Sessions">Its command sessions at its last heartbeat.</param>
/// <param name="LastSeen">When that heartbeat arrived (now, for this node).</param>
/// <param name="IsLocal">True for the node answering.</param>
internal sealed record ClusterNode(string Id, int Sessions, DateTimeOffset LastSeen, bool IsLocal);
