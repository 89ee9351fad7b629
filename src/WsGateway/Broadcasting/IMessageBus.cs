namespace WsGateway.Broadcasting;

/// <summary>
/// Carries broadcasts and group messages to every node of the cluster. Each node delivers what arrives to its own
/// sessions; a message published on this node is delivered here directly, never through the bus, so local traffic
/// does not depend on the bus being up.
/// </summary>
internal interface IMessageBus : IAsyncDisposable
{
    /// <summary>This node's name, in logs, <c>/metrics</c> and the <c>nodes</c> command.</summary>
    string NodeId { get; }

    /// <summary>
    /// Null while the bus works; otherwise one short line for clients, e.g. <c>cluster bus down since 16:40:12Z,
    /// reconnecting</c> (<c>/readyz</c>, the <c>nodes</c> command and the API say it). The cause goes to the log only.
    /// </summary>
    string? Degraded { get; }

    /// <summary>
    /// Starts carrying messages. <paramref name="deliver"/> gets every message from other nodes, once;
    /// <paramref name="localSessions"/> is this node's session count for its heartbeats. Returns without waiting for
    /// a remote bus to connect: a node whose bus is down still serves its own sessions.
    /// </summary>
    /// <param name="answer">Answers another node's <see cref="ClusterQuery"/> for this node's sessions.</param>
    Task StartAsync(Func<BusMessage, ValueTask> deliver, Func<int> localSessions, Func<ClusterQuery, NodeAnswer> answer, CancellationToken cancellationToken);

    /// <summary>Sends <paramref name="message"/> to the other nodes (at most once each; dropped while the bus is down).</summary>
    ValueTask PublishAsync(BusMessage message, CancellationToken cancellationToken);

    /// <summary>The nodes heard from recently, this one included.</summary>
    IReadOnlyList<ClusterNode> Nodes();

    /// <summary>
    /// Asks every other node (those heard from recently) and waits for their answers, at most <paramref name="wait"/>;
    /// this node's own answer is the caller's. A node that does not answer in time is named in
    /// <see cref="ClusterAnswer.Missing"/>; while the bus is down nobody is asked and <see cref="ClusterAnswer.Problem"/> says so.
    /// </summary>
    Task<ClusterAnswer> AskAsync(ClusterQuery query, TimeSpan wait, CancellationToken cancellationToken);
}
