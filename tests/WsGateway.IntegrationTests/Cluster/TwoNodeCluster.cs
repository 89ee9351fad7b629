namespace WsGateway.IntegrationTests.Cluster;

/// <summary>
/// A Redis of its own and two gateways on it, node-a and node-b, that have found each other on the bus. One per test
/// class (a class fixture), with a channel prefix of its own.
/// </summary>
public sealed class TwoNodeCluster : IAsyncLifetime
{
    public RedisServer Redis { get; private set; } = null!;
    public TestGateway A { get; private set; } = null!;
    public TestGateway B { get; private set; } = null!;
    public string ChannelPrefix { get; } = ClusterGateways.UniquePrefix("two-nodes");

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        var a = ClusterGateways.StartAsync(Redis.ConnectionString, ChannelPrefix, "node-a");
        var b = ClusterGateways.StartAsync(Redis.ConnectionString, ChannelPrefix, "node-b");
        try
        {
            try
            {
                await Task.WhenAll(a, b);
            }
            finally
            {
                A = a.IsCompletedSuccessfully ? a.Result : null!;
                B = b.IsCompletedSuccessfully ? b.Result : null!;
            }

            await ClusterGateways.WaitUntilTheySeeEachOtherAsync(A, B);
        }
        catch
        {
            // No redis-server or gateway is left behind when the fixture fails.
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (A is not null)
        {
            await A.DisposeAsync();
        }

        if (B is not null)
        {
            await B.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }
}
