namespace WsGateway.IntegrationTests.Cluster;

/// <summary>
/// A gateway whose Cluster:Redis points at a port where nothing listens: it starts anyway, serves its own clients,
/// stays ready (degraded), and joins the cluster once a Redis answers there.
/// </summary>
public sealed class ClusterStartupWithoutRedisTests : IAsyncLifetime
{
    private readonly RedisServer _redis = RedisServer.NotStarted();
    private readonly string _prefix = ClusterGateways.UniquePrefix("startup-without-redis");
    private TestGateway? _a;
    private TestGateway? _b;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_a is not null)
        {
            await _a.DisposeAsync();
        }

        if (_b is not null)
        {
            await _b.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_gateway_starts_without_Redis_serves_its_own_clients_and_joins_the_cluster_once_Redis_answers()
    {
        Assert.False(await RedisServer.AnswersPingAsync(_redis.Port));
        _a = await ClusterGateways.StartAsync(_redis.ConnectionString, _prefix, "node-a");
        await using var a1 = await ListeningClient.ConnectAsync(_a, "a1 (node-a)");
        await using var a2 = await ListeningClient.ConnectAsync(_a, "a2 (node-a)");

        Assert.Contains("broadcast", await a1.AskAsync("help", m => m.Contains("nodes", StringComparison.Ordinal)), StringComparison.Ordinal);
        var nodes = await a1.AskAsync("nodes", m => m.Contains("node-a:", StringComparison.Ordinal));
        ClusterGateways.AssertHonestBusDown(nodes.Split('\n')[0]);
        Assert.EndsWith("node-a: 2 sessions (this node)", nodes, StringComparison.Ordinal);
        var readyz = await ClusterGateways.ReadyzAsync(_a);
        Assert.True(ClusterGateways.IsDegraded(readyz), $"/readyz without Redis: {(int)readyz.Status} {readyz.Body}");
        ClusterGateways.AssertHonestBusDown(readyz.Body["ready (degraded: ".Length..^1]);

        var local = $"alone {Guid.NewGuid():N}";
        await a1.SendAsync("broadcast " + local);
        await ClusterGateways.AssertEachGetsItOnceAsync(local, a1, a2);
        Assert.Equal(1, ClusterGateways.BusDownWarnings(_a));

        // Redis answers now: the gateway connects by itself, and a second node finds it.
        await _redis.StartOnItsPortAsync();
        readyz = await ClusterGateways.ReadyzUntilAsync(_a, ClusterGateways.IsPlainReady);
        Assert.True(ClusterGateways.IsPlainReady(readyz), $"/readyz once Redis answers: {(int)readyz.Status} {readyz.Body}");
        _b = await ClusterGateways.StartAsync(_redis.ConnectionString, _prefix, "node-b");
        await ClusterGateways.WaitUntilTheySeeEachOtherAsync(_a, _b);
        await using var b1 = await ListeningClient.ConnectAsync(_b, "b1 (node-b)");

        // Subscribed once, though the first attempts failed: every message arrives once, in both directions.
        var fromA = $"from node-a {Guid.NewGuid():N}";
        await a1.SendAsync("broadcast " + fromA);
        await ClusterGateways.AssertEachGetsItOnceAsync(fromA, a1, a2, b1);
        var fromB = $"from node-b {Guid.NewGuid():N}";
        await b1.SendAsync("broadcast " + fromB);
        await ClusterGateways.AssertEachGetsItOnceAsync(fromB, a1, a2, b1);
        Assert.Equal(1, ClusterGateways.BusDownWarnings(_a));
        Assert.Equal(0, ClusterGateways.BusDownWarnings(_b));
    }
}
