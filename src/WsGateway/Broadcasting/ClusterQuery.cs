namespace WsGateway.Broadcasting;

/// <summary>What a node asks every node of the cluster: its sessions (filtered), to close some, or its activity.</summary>
internal enum ClusterQueryKind : byte
{
    Sessions,
    Disconnect,

    /// <summary>Each node's own activity for the admin view: command statistics, reloads, handshake refusals.</summary>
    Activity,
}

/// <summary>One question to every node; each answers for its own sessions.</summary>
/// <param name="User">Only the sessions authenticated as this user; null for any.</param>
/// <param name="Group">Only the members of this group; null for any.</param>
/// <param name="Session">Only this session; null for any.</param>
/// <param name="CloseCode">For <see cref="ClusterQueryKind.Disconnect"/>: the close code.</param>
/// <param name="Reason">For <see cref="ClusterQueryKind.Disconnect"/>: the close reason.</param>
internal sealed record ClusterQuery(
    ClusterQueryKind Kind, string? User = null, string? Group = null, string? Session = null, int CloseCode = 0, string? Reason = null)
{
    public bool Matches(string session, string? user, IReadOnlyCollection<string> groups) =>
        (Session is null || Session == session)
        && (User is null || User == user)
        && (Group is null || groups.Contains(Group));
}

/// <summary>A session as a node reports it.</summary>
/// <param name="User">The identity name; null for an anonymous session.</param>
/// <param name="Traffic">Data messages and payload bytes each way so far (zero from a node older than these).</param>
/// <param name="Running">The command running now and since when; null while none runs.</param>
internal sealed record SessionSummary(
    string Id, string? User, string[] Roles, string Node, string? Address, string Path, DateTimeOffset ConnectedAt, string[] Groups,
    SessionTraffic Traffic = default, RunningCommand? Running = null);

/// <summary>One node's answer: the sessions that matched, how many it closed, or its activity.</summary>
/// <param name="Activity">For <see cref="ClusterQueryKind.Activity"/>: the node's report as JSON (<c>ActivityReport</c>).</param>
internal sealed record NodeAnswer(string Node, IReadOnlyList<SessionSummary> Sessions, int Disconnected, string? Activity = null);

/// <summary>
/// The answers that came back, this node's included. <see cref="Missing"/> names the nodes heard from recently that
/// did not answer in time (crashed, or cut off from Redis); <see cref="Problem"/> says why none could be asked.
/// </summary>
internal sealed record ClusterAnswer(IReadOnlyList<NodeAnswer> Answers, IReadOnlyList<string> Missing, string? Problem)
{
    /// <summary>Every node that could have a matching session answered.</summary>
    public bool Complete => Missing.Count == 0 && Problem is null;
}
