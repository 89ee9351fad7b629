namespace WsGateway.IntegrationTests.Cluster;

/// <summary>
/// Two gateways sharing a real Redis: the shipped <c>broadcast</c> script run on either node reaches every client of
/// both, once.
/// </summary>
public sealed class ClusterBroadcastTests(TwoNodeCluster cluster) : IClassFixture<TwoNodeCluster>
{
    [Fact]
    public async Task The_nodes_command_lists_both_nodes_on_each_node()
    {
        await using var onA = await ListeningClient.ConnectAsync(cluster.A, "client on node-a");
        await using var onB = await ListeningClient.ConnectAsync(cluster.B, "client on node-b");

        foreach (var (client, self, other) in new[] { (onA, "node-a", "node-b"), (onB, "node-b", "node-a") })
        {
            // A node lists another after its first heartbeat, and its session count as of its latest one: poll.
            var nodes = await client.AskAsync("nodes", r => r.Contains(other + ":", StringComparison.Ordinal));
            Assert.DoesNotContain("cluster bus down", nodes, StringComparison.Ordinal);
            var lines = nodes.Split('\n');
            Assert.Equal(2, lines.Length);
            Assert.Single(lines, l => l.StartsWith(self + ": ", StringComparison.Ordinal) && l.EndsWith(" (this node)", StringComparison.Ordinal));
            Assert.Single(lines, l => l.StartsWith(other + ": ", StringComparison.Ordinal) && !l.EndsWith(" (this node)", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("node-a")]
    [InlineData("node-b")]
    public async Task A_broadcast_reaches_every_client_on_both_nodes_exactly_once(string from)
    {
        await using var a1 = await ListeningClient.ConnectAsync(cluster.A, "a1 (node-a)");
        await using var a2 = await ListeningClient.ConnectAsync(cluster.A, "a2 (node-a)");
        await using var b1 = await ListeningClient.ConnectAsync(cluster.B, "b1 (node-b)");
        await using var b2 = await ListeningClient.ConnectAsync(cluster.B, "b2 (node-b)");
        var sender = from == "node-a" ? a1 : b1;

        var text = $"hello from {from} {Guid.NewGuid():N}";
        await sender.SendAsync("broadcast " + text);

        await ClusterGateways.AssertEachGetsItOnceAsync(text, a1, a2, b1, b2);
        Assert.All([a1, a2, b1, b2], c => Assert.Equal([text], ClusterGateways.WithoutMarkers(c)));
    }

    [Fact]
    public async Task Many_broadcasts_from_both_nodes_at_once_each_reach_every_client_exactly_once()
    {
        await using var a1 = await ListeningClient.ConnectAsync(cluster.A, "a1 (node-a)");
        await using var b1 = await ListeningClient.ConnectAsync(cluster.B, "b1 (node-b)");
        var run = Guid.NewGuid().ToString("N");
        var fromA = Enumerable.Range(0, 20).Select(i => $"a-{i} {run}").ToArray();
        var fromB = Enumerable.Range(0, 20).Select(i => $"b-{i} {run}").ToArray();

        await Task.WhenAll(
            Task.Run(async () => { foreach (var text in fromA) { await a1.SendAsync("broadcast " + text); } }),
            Task.Run(async () => { foreach (var text in fromB) { await b1.SendAsync("broadcast " + text); } }));

        await ClusterGateways.AssertEachGetsItOnceAsync(fromA[^1], a1, b1);
        await ClusterGateways.AssertEachGetsItOnceAsync(fromB[^1], a1, b1);
        foreach (var client in new[] { a1, b1 })
        {
            var received = ClusterGateways.WithoutMarkers(client);
            Assert.Equal(40, received.Count);
            Assert.Equal(fromA.Concat(fromB).Order(StringComparer.Ordinal), received.Order(StringComparer.Ordinal));
            // Each node's messages arrive in the order it sent them, on its own node and through the bus.
            Assert.Equal(fromA, client.Received.Where(m => m.StartsWith("a-", StringComparison.Ordinal)));
            Assert.Equal(fromB, client.Received.Where(m => m.StartsWith("b-", StringComparison.Ordinal)));
        }
    }
}
