using WsGateway.Broadcasting;
using WsGateway.IntegrationTests.Host;

namespace WsGateway.IntegrationTests.Cluster;

/// <summary>
/// A gateway killed with SIGKILL (the real host, as a process) while its clients are in a group: the presence that
/// the surviving node gives never lists a dead node's sessions, names the dead node as not answering while it is still
/// remembered, and is whole again once the node is forgotten (three heartbeats: the documented bound).
/// </summary>
public sealed class ClusterCrashTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wsgateway-crash-").FullName;
    private readonly string _prefix = ClusterGateways.UniquePrefix("crash");
    private RedisServer _redis = null!;
    private TestGateway? _survivor;
    private GatewayProcess? _victim;

    public async Task InitializeAsync()
    {
        File.Copy(Path.Combine(BuildPaths.RepoRoot, "gateway.json"), Path.Combine(_folder, "gateway.json"));
        PluginFolders.Copy(Path.Combine(BuildPaths.SamplePlugins, "Chat"), Path.Combine(_folder, "artifacts", "plugins", "Chat"));
        _redis = await RedisServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_victim is not null)
        {
            await _victim.DisposeAsync();
        }

        if (_survivor is not null)
        {
            await _survivor.DisposeAsync();
        }

        await _redis.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_node_killed_with_SIGKILL_leaves_no_sessions_in_presence_and_is_forgotten_within_three_heartbeats()
    {
        _survivor = await ClusterGateways.StartAsync(_redis.ConnectionString, _prefix, "node-a");
        _victim = await GatewayProcess.StartAsync(_folder,
            $"Cluster:Redis={_redis.ConnectionString}", $"Cluster:ChannelPrefix={_prefix}", "Cluster:NodeName=node-b",
            $"Cluster:HeartbeatSeconds={ClusterGateways.HeartbeatSeconds}", "--port", "0");
        await using var onA = await ListeningClient.ConnectAsync(_survivor, "a (node-a)");
        await using var onB = await ListeningClient.ConnectAsync(new Uri($"ws://127.0.0.1:{_victim.Port}/"), "b (node-b)");
        await onA.AskAsync("join lobby", r => r.Contains("lobby", StringComparison.Ordinal));
        await onB.AskAsync("join lobby", r => r.Contains("lobby", StringComparison.Ordinal));
        var lobby = new ClusterQuery(ClusterQueryKind.Sessions, Group: "chat:lobby");

        var before = await Eventually.ValueAsync(
            () => _survivor.Gateway.CommandRoute.AskClusterAsync(lobby, Eventually.Patience, CancellationToken.None)!,
            a => a is not null && a.Answers.SelectMany(n => n.Sessions).Select(s => s.Node).Order(StringComparer.Ordinal).SequenceEqual(["node-a", "node-b"]),
            Eventually.Patience);
        Assert.True(before!.Complete);

        _victim.Process.Kill();
        await _victim.WaitForExitAsync(Eventually.Patience);

        // Straight after the kill nothing of node-b is listed; until it is forgotten it is named as not answering.
        var right = await _survivor.Gateway.CommandRoute.AskClusterAsync(lobby, TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.DoesNotContain(right.Answers.SelectMany(n => n.Sessions), s => s.Node == "node-b");
        Assert.True(right.Complete || right.Missing.SequenceEqual(["node-b"]), $"missing: {string.Join(", ", right.Missing)}");

        var after = await Eventually.ValueAsync(
            () => _survivor.Gateway.CommandRoute.AskClusterAsync(lobby, TimeSpan.FromSeconds(1), CancellationToken.None)!,
            a => a is not null && a.Complete,
            Eventually.Patience);
        Assert.True(after!.Complete, "node-b was never forgotten");
        Assert.Equal(["node-a"], after.Answers.SelectMany(n => n.Sessions).Select(s => s.Node));
        Assert.DoesNotContain(_survivor.Gateway.Bus.Nodes(), n => n.Id == "node-b");
    }
}
