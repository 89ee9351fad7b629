using System.Net;

namespace WsGateway.IntegrationTests.Cluster;

/// <summary>
/// Redis goes away under two running gateways and comes back on the same port: each node keeps serving its own
/// clients, says it is degraded (still ready), warns once, and the cluster heals by itself.
/// </summary>
public sealed class ClusterOutageTests : IAsyncLifetime
{
    private readonly TwoNodeCluster _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task Nodes_serve_their_own_clients_through_a_Redis_outage_and_rejoin_when_it_is_back()
    {
        var (a, b) = (_cluster.A, _cluster.B);
        await using var a1 = await ListeningClient.ConnectAsync(a, "a1 (node-a)");
        await using var a2 = await ListeningClient.ConnectAsync(a, "a2 (node-a)");
        await using var b1 = await ListeningClient.ConnectAsync(b, "b1 (node-b)");
        var first = $"before the outage {Guid.NewGuid():N}";
        await a1.SendAsync("broadcast " + first);
        await ClusterGateways.AssertEachGetsItOnceAsync(first, a1, a2, b1);
        Assert.Equal(0, ClusterGateways.BusDownWarnings(a));
        Assert.Equal(0, ClusterGateways.BusDownWarnings(b));

        await _cluster.Redis.StopAsync();

        foreach (var gateway in new[] { a, b })
        {
            var readyz = await ClusterGateways.ReadyzUntilAsync(gateway, ClusterGateways.IsDegraded);
            Assert.True(ClusterGateways.IsDegraded(readyz), $"/readyz on {gateway.Gateway.Bus.NodeId} while Redis is down: {(int)readyz.Status} {readyz.Body}");
            ClusterGateways.AssertHonestBusDown(readyz.Body["ready (degraded: ".Length..^1]);
        }

        var nodes = await a1.AskAsync("nodes", m => m.Contains("node-a:", StringComparison.Ordinal));
        ClusterGateways.AssertHonestBusDown(nodes.Split('\n')[0]);

        // Local delivery does not depend on the bus: node-a's clients get every broadcast, once, in order.
        var duringOutage = Enumerable.Range(0, 20).Select(i => $"during the outage {i} {Guid.NewGuid():N}").ToArray();
        foreach (var text in duringOutage)
        {
            await a1.SendAsync("broadcast " + text);
        }

        await ClusterGateways.AssertEachGetsItOnceAsync(duringOutage[^1], a1, a2);
        foreach (var client in new[] { a1, a2 })
        {
            Assert.Equal(duringOutage, client.Received.Where(m => m.StartsWith("during the outage", StringComparison.Ordinal)));
        }

        Assert.Equal(HttpStatusCode.OK, (await ClusterGateways.ReadyzAsync(a)).Status);
        Assert.Equal("0", await ClusterGateways.BusUpMetricAsync(a));
        Assert.Equal("0", await ClusterGateways.BusUpMetricAsync(b));
        // Every broadcast of the outage is counted as lost for the other nodes (none was handed to Redis): the 20, and
        // the marker that node-a's clients exchanged to rule out late duplicates.
        Assert.Equal("21", await ClusterGateways.MetricAsync(a, "wsgateway_bus_dropped_total"));
        Assert.Equal(1, ClusterGateways.BusDownWarnings(a));
        Assert.Equal(1, ClusterGateways.BusDownWarnings(b));

        await _cluster.Redis.StartOnItsPortAsync();

        foreach (var gateway in new[] { a, b })
        {
            var readyz = await ClusterGateways.ReadyzUntilAsync(gateway, ClusterGateways.IsPlainReady);
            Assert.True(ClusterGateways.IsPlainReady(readyz), $"/readyz on {gateway.Gateway.Bus.NodeId} after Redis came back: {(int)readyz.Status} {readyz.Body}");
        }

        // Each node's subscription comes back on its own schedule, and a message published before it is lost: probe
        // both ways until each node hears the other again.
        var probe = 0;
        async Task<bool> HealedAsync()
        {
            probe++;
            await a1.SendAsync($"broadcast probe {probe} from node-a");
            await b1.SendAsync($"broadcast probe {probe} from node-b");
            return await Eventually.TrueAsync(
                () => b1.Received.Any(m => m.EndsWith(" from node-a", StringComparison.Ordinal)) && a1.Received.Any(m => m.EndsWith(" from node-b", StringComparison.Ordinal)),
                TimeSpan.FromMilliseconds(250));
        }

        Assert.True(
            await Eventually.TrueAsync(HealedAsync, Eventually.Patience),
            $"the nodes never heard each other after Redis came back; a1 received: {a1.Describe()}; b1 received: {b1.Describe()}");

        var fresh = $"after the outage {Guid.NewGuid():N}";
        await a1.SendAsync("broadcast " + fresh);
        await ClusterGateways.AssertEachGetsItOnceAsync(fresh, a1, a2, b1);
        var back = $"from node-b after the outage {Guid.NewGuid():N}";
        await b1.SendAsync("broadcast " + back);
        await ClusterGateways.AssertEachGetsItOnceAsync(back, a1, a2, b1);

        await ClusterGateways.WaitUntilTheySeeEachOtherAsync(a, b);
        Assert.Equal("1", await ClusterGateways.BusUpMetricAsync(a));
        Assert.Equal("1", await ClusterGateways.BusUpMetricAsync(b));
        // Pub/sub is at most once: what node-a published while Redis was down is gone, not delivered late.
        Assert.DoesNotContain(b1.Received, m => m.StartsWith("during the outage", StringComparison.Ordinal));
        Assert.DoesNotContain("cluster bus down", await a1.AskAsync("nodes", m => m.Contains("node-b:", StringComparison.Ordinal)), StringComparison.Ordinal);
        // One outage, one warning per node, however many messages were dropped meanwhile.
        Assert.Equal(1, ClusterGateways.BusDownWarnings(a));
        Assert.Equal(1, ClusterGateways.BusDownWarnings(b));
    }
}
