using System.Collections.Concurrent;
using System.Text.Json;
using WsGateway.Broadcasting;
using WsGateway.Client;
using WsGateway.Commands;
using WsGateway.Contracts;
using WsGateway.Options;

namespace WsGateway.IntegrationTests.Commands;

/// <summary>
/// Group history (<c>History:Groups</c>) with real clients: events of a group that keeps one carry an offset and an
/// epoch; a member that was away reads what it missed after its last offset with the built-in <c>history</c>, every
/// message once and in order, or is told it cannot be recovered; bad positions and non-members get clear errors.
/// </summary>
public sealed class HistoryTests : IAsyncLifetime
{
    private static readonly CommandOrigin Origin = new(CommandOriginKind.Plugin, "HistoryTests", "1.0.0");
    private readonly TaskCompletionSource _rejoin = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestGateway _gateway = null!;
    private int _gatedJoins;

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartAsync(o =>
        {
            o.History.Groups = [
                new HistoryGroupOptions { Pattern = "room:*", Size = 5, TtlSeconds = 600 },
                new HistoryGroupOptions { Pattern = "big:*", Size = 2000, TtlSeconds = 600 },
            ];
            // The paging test sends 1,500 calls as fast as it can: no rate limit may refuse one, however fast the machine.
            o.Commands.MessagesPerSecond = 1_000_000;
            o.Commands.Burst = 1_000_000;
        });
        _gateway.Gateway.Registry.SetSource("history-tests", [
            new CommandDescriptor("join", "join GROUP", Origin, ctx => ctx.JoinGroupAsync(ctx.Arguments)),
            new CommandDescriptor("join-gated", "join GROUP, the second time once the test allows it", Origin, async ctx =>
            {
                if (Interlocked.Increment(ref _gatedJoins) > 1)
                {
                    await _rejoin.Task;
                }

                await ctx.JoinGroupAsync(ctx.Arguments);
            }),
            new CommandDescriptor("post", "post GROUP TEXT", Origin, ctx =>
            {
                var space = ctx.Arguments.IndexOf(' ', StringComparison.Ordinal);
                return ctx.SendToGroupAsync(ctx.Arguments[..space], ctx.Arguments[(space + 1)..]);
            }),
        ]);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task A_member_back_from_a_disconnection_gets_what_it_missed_once_and_in_order_then_live_messages()
    {
        await using var sender = await ConnectAsync();
        var seen = new ConcurrentQueue<GatewayEvent>();
        (long Offset, string Epoch) position;
        await using (var away = await ConnectAsync())
        {
            away.On("group", seen.Enqueue);
            await away.JoinAsync("room:1");
            await sender.CallAsync("post", "room:1 one");
            await sender.CallAsync("post", "room:1 two");
            Assert.True(await Eventually.TrueAsync(() => seen.Count == 2, Eventually.Patience));
            var last = seen.Last();
            position = (Offset(last), Epoch(last));
            Assert.Equal([1L, 2], seen.Select(Offset));
        }

        await sender.CallAsync("post", "room:1 three");
        await sender.CallAsync("post", "room:1 four");

        await using var back = await ConnectAsync();
        var live = new ConcurrentQueue<GatewayEvent>();
        back.On("group", live.Enqueue);
        await back.JoinAsync("room:1");
        var recovery = await HistoryAsync(back, new { group = "room:1", since = new { offset = position.Offset, epoch = position.Epoch } });

        Assert.True(recovery.GetProperty("recovered").GetBoolean());
        Assert.Equal(4, recovery.GetProperty("offset").GetInt64());
        Assert.Equal(
            [(3L, "three"), (4L, "four")],
            recovery.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("offset").GetInt64(), m.GetProperty("text").GetString()!)));

        await sender.CallAsync("post", "room:1 five");
        Assert.True(await Eventually.TrueAsync(() => !live.IsEmpty, Eventually.Patience));
        Assert.Equal((5L, "five"), (Offset(live.Single()), live.Single().Text));
    }

    [Fact]
    public async Task A_position_the_history_no_longer_reaches_or_from_another_epoch_is_not_recovered()
    {
        await using var member = await ConnectAsync();
        await member.JoinAsync("room:2");
        foreach (var n in Enumerable.Range(1, 7))
        {
            await member.CallAsync("post", $"room:2 m{n}");
        }

        // Size 5: messages 1 and 2 are gone, so a client that saw only message 1 cannot have all it missed.
        var trimmed = await HistoryAsync(member, new { group = "room:2", since = new { offset = 1, epoch = ((MemoryHistoryStore)_gateway.Gateway.CommandRoute.History).Epoch } });
        Assert.False(trimmed.GetProperty("recovered").GetBoolean());
        Assert.Equal(["m3", "m4", "m5", "m6", "m7"], trimmed.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()));

        var otherEpoch = await HistoryAsync(member, new { group = "room:2", since = new { offset = 6, epoch = "an-old-epoch" } });
        Assert.False(otherEpoch.GetProperty("recovered").GetBoolean());
        Assert.Equal(5, otherEpoch.GetProperty("messages").GetArrayLength());

        var upToDate = await HistoryAsync(member, new { group = "room:2", since = new { offset = 7, epoch = ((MemoryHistoryStore)_gateway.Gateway.CommandRoute.History).Epoch } });
        Assert.True(upToDate.GetProperty("recovered").GetBoolean());
        Assert.Equal(0, upToDate.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task Bad_positions_non_members_groups_without_history_and_bad_data_get_their_error_codes()
    {
        await using var client = await ConnectAsync();
        await client.JoinAsync("room:3");
        await client.CallAsync("post", "room:3 hello");
        await client.JoinAsync("plain");
        var epoch = ((MemoryHistoryStore)_gateway.Gateway.CommandRoute.History).Epoch;

        await AssertErrorAsync(client, new { group = "room:3", since = new { offset = 99, epoch } }, CallErrors.BadPosition);
        await AssertErrorAsync(client, new { group = "room:4" }, CallErrors.Forbidden);
        await AssertErrorAsync(client, new { group = "plain" }, CallErrors.NoHistory);
        await AssertErrorAsync(client, new { group = "room:3", since = new { offset = -1, epoch } }, CallErrors.BadArguments);
        await AssertErrorAsync(client, new { group = "not a group" }, CallErrors.BadArguments);

        // The connection goes on, and plain text reads the same history as lines.
        Assert.Equal("1 anonymous: hello", (await client.CallAsync("history", "room:3")).Single().Text);
    }

    [Fact]
    public async Task A_client_that_missed_more_than_one_call_returns_reads_on_until_it_has_them_all()
    {
        await using var sender = await ConnectAsync();
        // The client's join after its reconnect waits until the test lets it go, so what it misses is known.
        await using var away = await GatewayClient.ConnectAsync(_gateway.WebSocketUri("/"), new GatewayClientOptions
        {
            InitialDelay = TimeSpan.FromMilliseconds(10),
            JoinCommand = "join-gated",
        });
        var seen = new ConcurrentQueue<GatewayEvent>();
        var recoveries = new ConcurrentQueue<RecoveryResult>();
        away.On("group", seen.Enqueue);
        away.Recovered += recoveries.Enqueue;
        await away.JoinAsync("big:1");
        await sender.CallAsync("post", "big:1 m0");
        Assert.True(await Eventually.TrueAsync(() => seen.Count == 1, Eventually.Patience));

        var session = _gateway.Gateway.CommandRoute.LocalSession(away.Welcome!.Session)!;
        _gateway.Gateway.CommandRoute.Disconnect([session], 4000, "away for a while");
        Assert.True(await Eventually.TrueAsync(() => away.State == GatewayClientState.Reconnecting, Eventually.Patience));
        var missed = Enumerable.Range(1, HistoryCommand.MaxLimit + 500).Select(n => $"m{n}").ToArray();
        foreach (var text in missed)
        {
            await sender.CallAsync("post", "big:1 " + text);
        }

        _rejoin.SetResult();

        Assert.True(await Eventually.TrueAsync(() => !recoveries.IsEmpty, Eventually.Patience));
        Assert.Equal(new RecoveryResult("big:1", true, missed.Length, null), recoveries.Single());
        Assert.Equal(["m0", .. missed], seen.Select(e => e.Text));
        Assert.Equal(Enumerable.Range(1, missed.Length + 1).Select(n => (long)n), seen.Select(Offset));
    }

    private Task<GatewayClient> ConnectAsync() => GatewayClient.ConnectAsync(_gateway.WebSocketUri("/"));

    private static async Task<JsonElement> HistoryAsync(GatewayClient client, object data) =>
        (await client.CallAsync("history", data: data)).Single().Data!.Value;

    private static async Task AssertErrorAsync(GatewayClient client, object data, string code)
    {
        var error = await Assert.ThrowsAsync<CallException>(() => client.CallAsync("history", data: data));
        Assert.Equal(code, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    private static long Offset(GatewayEvent e) => e.Offset ?? throw new InvalidOperationException($"no offset on {e}");

    private static string Epoch(GatewayEvent e) => e.Epoch ?? throw new InvalidOperationException($"no epoch on {e}");
}
