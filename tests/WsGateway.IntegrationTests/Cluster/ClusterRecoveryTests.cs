using System.Collections.Concurrent;
using System.Diagnostics;
using WsGateway.Client;
using WsGateway.Commands;
using WsGateway.Contracts;
using WsGateway.IntegrationTests.Host;
using WsGateway.Options;
using Xunit.Abstractions;

namespace WsGateway.IntegrationTests.Cluster;

/// <summary>
/// Issue 30's fault test: 1,000 .NET clients in a room that keeps a history, half of them on a gateway that is killed
/// with SIGKILL (the real host, as a process) while a publisher on the other gateway sends 200 messages a second. The
/// clients of the dead gateway reconnect to the survivor and recover; every client ends with every message the
/// publisher sent, exactly once and in order, checked against the publisher's log.
/// </summary>
public sealed class ClusterRecoveryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Clients = 1000;
    private const int Messages = 1000;
    private const int KillAfter = 200;
    private const string Room = "room:live";
    private static readonly CommandOrigin Origin = new(CommandOriginKind.Plugin, "ClusterRecoveryTests", "1.0.0");

    private readonly string _folder = Directory.CreateTempSubdirectory("wsgateway-recovery-").FullName;
    private readonly string _prefix = ClusterGateways.UniquePrefix("recovery");
    private readonly List<GatewayClient> _clients = [];
    private RedisServer _redis = null!;
    private TestGateway? _survivor;
    private GatewayProcess? _victim;

    public async Task InitializeAsync()
    {
        File.Copy(Path.Combine(BuildPaths.RepoRoot, "gateway.json"), Path.Combine(_folder, "gateway.json"));
        Directory.CreateDirectory(Path.Combine(_folder, "scripts"));
        // Joins without an announcement: the room's offsets count only the publisher's messages.
        File.WriteAllText(Path.Combine(_folder, "scripts", "join.csx"), "await JoinGroupAsync(Args);\nreturn null;\n");
        _redis = await RedisServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Task.WhenAll(_clients.Select(c => c.DisposeAsync().AsTask()));
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
    public async Task A_thousand_clients_of_a_gateway_killed_mid_stream_recover_every_message_once_and_in_order()
    {
        _survivor = await TestGateway.StartAsync(options =>
        {
            options.Cluster.Redis = _redis.ConnectionString;
            options.Cluster.ChannelPrefix = _prefix;
            options.Cluster.NodeName = "survivor";
            options.Cluster.HeartbeatSeconds = ClusterGateways.HeartbeatSeconds;
            options.History.Groups = [RoomHistory()];
            options.Limits.MaxConnectionsPerIp = 2 * Clients;
            options.Commands.MessagesPerSecond = 10 * Messages;
            options.Commands.Burst = 10 * Messages;
        });
        _survivor.Gateway.Registry.SetSource("recovery-tests", [
            new CommandDescriptor("join", "join GROUP", Origin, ctx => ctx.JoinGroupAsync(ctx.Arguments)),
            new CommandDescriptor("post", "post TEXT", Origin, ctx => ctx.SendToGroupAsync(Room, ctx.Arguments)),
        ]);
        var rule = RoomHistory();
        _victim = await GatewayProcess.StartAsync(_folder,
            $"Cluster:Redis={_redis.ConnectionString}", $"Cluster:ChannelPrefix={_prefix}", "Cluster:NodeName=victim",
            $"Cluster:HeartbeatSeconds={ClusterGateways.HeartbeatSeconds}",
            $"History:Groups:0:Pattern={rule.Pattern}", $"History:Groups:0:Size={rule.Size}", $"History:Groups:0:TtlSeconds={rule.TtlSeconds}",
            "--port", "0");
        var victim = new Uri($"ws://127.0.0.1:{_victim.Port}/");
        var survivor = _survivor.WebSocketUri();

        // Half on each gateway; those of the victim know the survivor as their next address.
        var received = new ConcurrentQueue<string>[Clients];
        var recoveries = new ConcurrentQueue<RecoveryResult>[Clients];
        var killed = new Stopwatch();
        var recoveredAt = new ConcurrentQueue<TimeSpan>();
        var options = new GatewayClientOptions { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(2) };
        foreach (var batch in Enumerable.Range(0, Clients).Chunk(50))
        {
            await Task.WhenAll(batch.Select(async i =>
            {
                received[i] = new ConcurrentQueue<string>();
                recoveries[i] = new ConcurrentQueue<RecoveryResult>();
                var client = await GatewayClient.ConnectAsync(i % 2 == 0 ? [victim, survivor] : [survivor], options);
                lock (_clients)
                {
                    _clients.Add(client);
                }

                client.On("group", e => received[i].Enqueue(e.Text!));
                client.Recovered += r =>
                {
                    recoveries[i].Enqueue(r);
                    recoveredAt.Enqueue(killed.Elapsed);
                };
                await client.JoinAsync(Room);
            }));
        }

        Assert.Equal(Clients / 2, _clients.Count(c => c.Welcome!.Node == "victim"));

        // The publisher: 200 messages a second from the survivor, each sent without waiting for the one before (the
        // gateway runs one session's calls in order); its log is what it sent, and every call must succeed.
        // A long call timeout: on a loaded machine the survivor may lag behind the pace for a while.
        await using var publisher = await GatewayClient.ConnectAsync(survivor, new GatewayClientOptions { CallTimeout = TimeSpan.FromMinutes(2) });
        var log = new List<string>();
        var calls = new List<Task>();
        var sending = Stopwatch.StartNew();
        using (var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(5)))
        {
            for (int n = 1; n <= Messages; n++)
            {
                // On schedule: a tick that came late (the machine is busy) is made up by sending what is due at once.
                if (n > sending.Elapsed.TotalSeconds * 200)
                {
                    await pace.WaitForNextTickAsync();
                }

                calls.Add(publisher.CallAsync("post", $"m{n}"));
                log.Add($"m{n}");
                if (n == KillAfter)
                {
                    _victim.Process.Kill();
                    killed.Restart();
                }
            }
        }

        await Task.WhenAll(calls);

        // Bounded: a client that never gets there fails the test with what it has.
        await Eventually.TrueAsync(() => received.All(r => r.Count >= Messages), TimeSpan.FromMinutes(3));
        output.WriteLine($"{recoveredAt.Count} recoveries, the last {recoveredAt.Max().TotalSeconds:0.00} s after the kill; "
            + $"every client had all {Messages} messages {killed.Elapsed.TotalSeconds:0.0} s after it");
        for (int i = 0; i < Clients; i++)
        {
            Assert.True(log.SequenceEqual(received[i]),
                $"client {i} ({(i % 2 == 0 ? "moved from the victim" : "on the survivor")}) got {received[i].Count} messages, "
                + $"first differences: {string.Join(", ", log.Zip(received[i]).Where(p => p.First != p.Second).Take(3))}");
            Assert.DoesNotContain(recoveries[i], r => !r.Recovered);
            if (i % 2 == 0)
            {
                Assert.Contains(recoveries[i], r => r is { Group: Room, Recovered: true });
            }
        }

        Assert.All(_clients, c => Assert.Equal("survivor", c.Welcome!.Node));
    }

    private static HistoryGroupOptions RoomHistory() => new() { Pattern = "room:*", Size = 5000, TtlSeconds = 600 };
}
