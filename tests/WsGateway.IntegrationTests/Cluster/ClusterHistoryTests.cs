using System.Collections.Concurrent;
using System.Text.Json;
using WsGateway.Client;
using WsGateway.Commands;
using WsGateway.Contracts;
using WsGateway.IntegrationTests.Interop;
using WsGateway.Options;

namespace WsGateway.IntegrationTests.Cluster;

/// <summary>
/// Group history in a cluster (<c>History:Groups</c> with <c>Cluster:Redis</c>), with two real gateways, a real Redis
/// and the .NET client: an offset is the same on both nodes and every member gets a group's messages in offset order,
/// whoever sent them; a client that moves to the other node recovers what it missed; after Redis lost its data (a
/// restart) the epoch changes and connected clients are told they could not recover; while Redis is down a message to
/// such a group is refused, not half sent.
/// </summary>
public sealed class ClusterHistoryTests : IAsyncLifetime
{
    private static readonly CommandOrigin Origin = new(CommandOriginKind.Plugin, "ClusterHistoryTests", "1.0.0");
    private readonly string _prefix = ClusterGateways.UniquePrefix("history");
    private RedisServer _redis = null!;
    private TestGateway _a = null!;
    private TestGateway? _b;
    private bool _aStopped;
    private readonly TaskCompletionSource _marked = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _a = await StartNodeAsync("node-a");
        _b = await StartNodeAsync("node-b");
        await ClusterGateways.WaitUntilTheySeeEachOtherAsync(_a, _b);
    }

    public async Task DisposeAsync()
    {
        if (!_aStopped)
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
    public async Task Both_nodes_give_the_same_offsets_and_every_member_gets_the_messages_of_both_in_offset_order()
    {
        await using var onA = await GatewayClient.ConnectAsync(_a.WebSocketUri());
        await using var onB = await GatewayClient.ConnectAsync(_b!.WebSocketUri());
        var seenOnA = Collect(onA);
        var seenOnB = Collect(onB);
        await onA.JoinAsync("room:1");
        await onB.JoinAsync("room:1");

        // Both nodes publish at once: Redis orders them.
        await Task.WhenAll(PostAsync(onA, "room:1", "a", 40), PostAsync(onB, "room:1", "b", 40));

        Assert.True(await Eventually.TrueAsync(() => seenOnA.Count == 80 && seenOnB.Count == 80, Eventually.Patience),
            $"node-a's member got {seenOnA.Count}, node-b's {seenOnB.Count} of 80");
        var a = seenOnA.ToArray();
        Assert.Equal(Enumerable.Range(1, 80).Select(n => (long)n), a.Select(e => e.Offset!.Value));
        Assert.Equal(a.Select(e => (e.Offset, e.Epoch, e.Text)), seenOnB.Select(e => (e.Offset, e.Epoch, e.Text)));
        foreach (var sender in new[] { "a", "b" })
        {
            // Each sender's own messages keep the order it sent them in.
            Assert.Equal(Enumerable.Range(1, 40).Select(n => $"{sender}{n}"), a.Select(e => e.Text!).Where(t => t.StartsWith(sender, StringComparison.Ordinal)));
        }

        // Either node reads the same history, and positions it never gave are refused or not recovered.
        var epoch = a[0].Epoch!;
        var fromA = await HistoryAsync(onA, new { group = "room:1", since = new { offset = 70, epoch } });
        var fromB = await HistoryAsync(onB, new { group = "room:1", since = new { offset = 70, epoch } });
        Assert.True(fromA.GetProperty("recovered").GetBoolean());
        Assert.Equal(fromA.GetRawText(), fromB.GetRawText());
        Assert.Equal(a.Skip(70).Select(e => e.Text), fromA.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()));

        var future = await Assert.ThrowsAsync<CallException>(() => onB.CallAsync("history", data: new { group = "room:1", since = new { offset = 81, epoch } }));
        Assert.Equal(CallErrors.BadPosition, future.Code);
        var otherEpoch = await HistoryAsync(onB, new { group = "room:1", since = new { offset = 3, epoch = "0123456789ab" } });
        Assert.False(otherEpoch.GetProperty("recovered").GetBoolean());
        Assert.Equal(a.Select(e => e.Text), otherEpoch.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()));

        // Each node hears its own kept messages back from Redis: that is not another node of the same name.
        Assert.DoesNotContain(_a.Logs.Events.Concat(_b.Logs.Events), e => e.MessageTemplate.Text.StartsWith("Another gateway on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_client_whose_node_stops_moves_to_the_other_and_gets_what_was_sent_meanwhile_once_and_in_order()
    {
        await using var sender = await GatewayClient.ConnectAsync(_b!.WebSocketUri());
        var recoveries = new ConcurrentQueue<RecoveryResult>();
        await using var mover = await GatewayClient.ConnectAsync([_a.WebSocketUri(), _b.WebSocketUri()],
            new GatewayClientOptions { InitialDelay = TimeSpan.FromMilliseconds(50) });
        mover.Recovered += recoveries.Enqueue;
        var seen = Collect(mover);
        await mover.JoinAsync("room:2");
        Assert.Equal("node-a", mover.Welcome!.Node);
        await PostAsync(sender, "room:2", "before", 5);
        Assert.True(await Eventually.TrueAsync(() => seen.Count == 5, Eventually.Patience));

        // Node a goes away (its clients are told to go); messages go on from node b meanwhile.
        _aStopped = true;
        var stopping = _a.DisposeAsync().AsTask();
        await PostAsync(sender, "room:2", "during", 20);
        await stopping;
        await PostAsync(sender, "room:2", "after", 5);

        Assert.True(await Eventually.TrueAsync(() => seen.Count >= 30, Eventually.Patience), $"got {seen.Count} of 30");
        Assert.Equal("node-b", mover.Welcome!.Node);
        Assert.Equal(
            [.. Texts("before", 5), .. Texts("during", 20), .. Texts("after", 5)],
            seen.Select(e => e.Text));
        Assert.Equal(Enumerable.Range(1, 30).Select(n => (long)n), seen.Select(e => e.Offset!.Value));
        Assert.Contains(recoveries, r => r is { Group: "room:2", Recovered: true });
        Assert.DoesNotContain(recoveries, r => !r.Recovered);
    }

    [Fact]
    public async Task Redis_restarted_gives_a_new_epoch_and_a_connected_member_is_told_it_could_not_recover()
    {
        await using var member = await GatewayClient.ConnectAsync(_a.WebSocketUri());
        await using var sender = await GatewayClient.ConnectAsync(_b!.WebSocketUri());
        var recoveries = new ConcurrentQueue<RecoveryResult>();
        member.Recovered += recoveries.Enqueue;
        var seen = Collect(member);
        await member.JoinAsync("room:3");
        await PostAsync(sender, "room:3", "old", 3);
        Assert.True(await Eventually.TrueAsync(() => seen.Count == 3, Eventually.Patience));
        var oldEpoch = seen.First().Epoch;

        // Redis keeps nothing on disk here: restarted, it has lost every history.
        await _redis.StopAsync();
        Assert.True(await Eventually.TrueAsync(() => _b.Gateway.Bus.Degraded is not null, Eventually.Patience));
        var refused = await Assert.ThrowsAsync<CallException>(() => sender.CallAsync("post", "room:3 lost"));
        Assert.Equal(CallErrors.Unavailable, refused.Code);
        Assert.Contains("Redis", refused.Message, StringComparison.Ordinal);

        await _redis.StartOnItsPortAsync();
        Assert.True(await Eventually.TrueAsync(() => _a.Gateway.Bus.Degraded is null && _b.Gateway.Bus.Degraded is null, Eventually.Patience));
        await sender.CallAsync("post", "room:3 new1");
        await sender.CallAsync("post", "room:3 new2");

        Assert.True(await Eventually.TrueAsync(() => seen.Count == 5, Eventually.Patience), $"got {seen.Count} of 5");
        Assert.Equal(["old1", "old2", "old3", "new1", "new2"], seen.Select(e => e.Text));
        Assert.Equal([1L, 2], seen.Skip(3).Select(e => e.Offset!.Value));
        Assert.NotEqual(oldEpoch, seen.Last().Epoch);
        Assert.True(await Eventually.TrueAsync(() => !recoveries.IsEmpty, Eventually.Patience));
        var recovery = recoveries.Single();
        Assert.Equal(("room:3", false, null), (recovery.Group, recovery.Recovered, recovery.Error));
    }

    [Fact]
    public async Task The_JavaScript_client_is_told_it_could_not_recover_when_Redis_lost_the_history_under_it()
    {
        var client = NodeWsClient.StartLibraryAsync(_a.WebSocketUri(), "newEpoch");
        // The client has its first message and calls mark: Redis restarts with nothing, and node b publishes again.
        await _marked.Task.WaitAsync(Eventually.Patience);
        await _redis.StopAsync();
        await _redis.StartOnItsPortAsync();
        Assert.True(await Eventually.TrueAsync(() => _a.Gateway.Bus.Degraded is null && _b!.Gateway.Bus.Degraded is null, Eventually.Patience));
        await using (var sender = await GatewayClient.ConnectAsync(_b!.WebSocketUri()))
        {
            await sender.CallAsync("post", "room:js new");
        }

        var result = NodeWsClient.Parse(await client);
        var received = result.GetProperty("received");
        Assert.Equal(["old", "new"], received.EnumerateArray().Select(e => e.GetProperty("text").GetString()));
        Assert.NotEqual(received[0].GetProperty("epoch").GetString(), received[1].GetProperty("epoch").GetString());
        var recovery = Assert.Single(result.GetProperty("recovered").EnumerateArray());
        Assert.Equal(("room:js", false), (recovery.GetProperty("group").GetString(), recovery.GetProperty("recovered").GetBoolean()));
    }

    private async Task<TestGateway> StartNodeAsync(string name)
    {
        var gateway = await TestGateway.StartAsync(options =>
        {
            options.Cluster.Redis = _redis.ConnectionString;
            options.Cluster.ChannelPrefix = _prefix;
            options.Cluster.NodeName = name;
            options.Cluster.HeartbeatSeconds = ClusterGateways.HeartbeatSeconds;
            options.History.Groups = [new HistoryGroupOptions { Pattern = "room:*", Size = 1000, TtlSeconds = 600 }];
        });
        gateway.Gateway.Registry.SetSource("cluster-history-tests", [
            // No announcement on join: a group's offsets count only what the test sends.
            new CommandDescriptor("join", "join GROUP", Origin, ctx => ctx.JoinGroupAsync(ctx.Arguments)),
            new CommandDescriptor("post", "post GROUP TEXT", Origin, ctx =>
            {
                var space = ctx.Arguments.IndexOf(' ', StringComparison.Ordinal);
                return ctx.SendToGroupAsync(ctx.Arguments[..space], ctx.Arguments[(space + 1)..]);
            }),
            new CommandDescriptor("mark", "tells the test the client got where it waits", Origin, _ =>
            {
                _marked.TrySetResult();
                return ValueTask.CompletedTask;
            }),
        ]);
        return gateway;
    }

    private static ConcurrentQueue<GatewayEvent> Collect(GatewayClient client)
    {
        var events = new ConcurrentQueue<GatewayEvent>();
        client.On("group", events.Enqueue);
        return events;
    }

    private static async Task PostAsync(GatewayClient client, string group, string prefix, int count)
    {
        foreach (var text in Texts(prefix, count))
        {
            await client.CallAsync("post", $"{group} {text}");
        }
    }

    private static IEnumerable<string> Texts(string prefix, int count) => Enumerable.Range(1, count).Select(n => $"{prefix}{n}");

    private static async Task<JsonElement> HistoryAsync(GatewayClient client, object data) =>
        (await client.CallAsync("history", data: data)).Single().Data!.Value;
}
