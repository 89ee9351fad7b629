namespace WsGateway.Broadcasting;

/// <summary>The bus of a gateway that runs alone (no <c>Cluster:Redis</c>): there are no other nodes to tell.</summary>
internal sealed class LocalMessageBus : IMessageBus
{
    private Func<int> _localSessions = static () => 0;

    public LocalMessageBus(string nodeId) => NodeId = nodeId;

    public string NodeId { get; }

    public string? Degraded => null;

    public Task StartAsync(Func<BusMessage, ValueTask> deliver, Func<int> localSessions, Func<ClusterQuery, NodeAnswer> answer, CancellationToken cancellationToken)
    {
        _localSessions = localSessions;
        return Task.CompletedTask;
    }

    public ValueTask PublishAsync(BusMessage message, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public IReadOnlyList<ClusterNode> Nodes() => [new ClusterNode(NodeId, _localSessions(), DateTimeOffset.UtcNow, IsLocal: true)];

    public Task<ClusterAnswer> AskAsync(ClusterQuery query, TimeSpan wait, CancellationToken cancellationToken) =>
        Task.FromResult(new ClusterAnswer([], [], null));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
