using WsGateway.Client;
using WsGateway.IntegrationTests.Commands;

namespace WsGateway.IntegrationTests.Interop;

/// <summary>
/// The .NET client (src/WsGateway.Client) against a real gateway: calls complete once with their replies or fail with
/// their code, events carry group and sender, a refused token is an <see cref="AuthenticationException"/> and is not
/// retried, and a restarted gateway gets the client back, in its groups.
/// </summary>
public sealed class DotNetClientTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await ProtocolTestCommands.StartGatewayAsync();
        ProtocolTestCommands.Register(_gateway);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Back_from_a_disconnection_it_raises_what_its_group_missed_once_and_in_order_before_live_messages()
    {
        await using var gateway = await ProtocolTestCommands.StartGatewayAsync(o => o.History.Groups = [new() { Pattern = "room", Size = 100, TtlSeconds = 600 }]);
        ProtocolTestCommands.Register(gateway);
        await using var client = await GatewayClient.ConnectAsync(gateway.WebSocketUri("/"), new() { InitialDelay = TimeSpan.FromSeconds(1) });
        await using var speaker = await GatewayClient.ConnectAsync(gateway.WebSocketUri("/"));
        var received = new System.Collections.Concurrent.ConcurrentQueue<GatewayEvent>();
        var recoveries = new System.Collections.Concurrent.ConcurrentQueue<RecoveryResult>();
        client.On("group", received.Enqueue);
        client.Recovered += recoveries.Enqueue;
        await client.JoinAsync("room");
        await speaker.CallAsync("say", "one");
        await speaker.CallAsync("say", "two");
        Assert.True(await Eventually.TrueAsync(() => received.Count == 2, Eventually.Patience));

        // Dropped by the gateway (4000, after the call's result): the client reconnects after its back-off, while these
        // are sent or after them.
        await client.CallAsync("drop");
        await speaker.CallAsync("say", "three");
        await speaker.CallAsync("say", "four");
        Assert.True(await Eventually.TrueAsync(() => !recoveries.IsEmpty, Eventually.Patience), "the client never recovered its group");
        await speaker.CallAsync("say", "five");
        Assert.True(await Eventually.TrueAsync(() => received.Any(e => e.Text == "five"), Eventually.Patience));

        Assert.Equal([("one", 1L), ("two", 2L), ("three", 3L), ("four", 4L), ("five", 5L)], received.Select(e => (e.Text, e.Offset!.Value)));
        var recovery = Assert.Single(recoveries);
        Assert.Equal(("room", true, null), (recovery.Group, recovery.Recovered, recovery.Error));
        var newest = await client.HistoryAsync("room", limit: 1);
        Assert.Equal("five", newest.GetProperty("messages")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Calls_complete_once_with_their_replies_or_fail_with_their_code()
    {
        await using var client = await GatewayClient.ConnectAsync(_gateway.WebSocketUri("/"));

        Assert.Equal("anonymous", client.Welcome!.Identity.Name);
        Assert.Empty(await client.CallAsync("quiet"));
        Assert.Equal(["hi Ada"], (await client.CallAsync("greet", "Ada")).Select(r => r.Text));
        Assert.Equal(["1", "2", "3"], (await client.CallAsync("count")).Select(r => r.Text));
        var weather = Assert.Single(await client.CallAsync("weather", data: new { City = "Oslo" }));
        Assert.Equal(("Oslo", 21.5), (weather.As<Forecast>()!.City, weather.As<Forecast>()!.Celsius));
        Assert.Equal("unknown_command", (await Assert.ThrowsAsync<CallException>(() => client.CallAsync("nosuch"))).Code);
        Assert.Equal("failed", (await Assert.ThrowsAsync<CallException>(() => client.CallAsync("boom"))).Code);
        Assert.Equal("forbidden", (await Assert.ThrowsAsync<CallException>(() => client.CallAsync("secret"))).Code);

        var many = await Task.WhenAll(Enumerable.Range(0, 1_000).Select(i => client.CallAsync("greet", i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.All(Enumerable.Range(0, 1_000), i => Assert.Equal($"hi {i}", Assert.Single(many[i]).Text));

        // Last: the gateway goes on running a call the client gave up on, and a connection's calls run one at a time.
        Assert.Equal("timeout", (await Assert.ThrowsAsync<CallException>(() => client.CallAsync("hang", timeout: TimeSpan.FromMilliseconds(200)))).Code);
    }

    [Fact]
    public async Task Group_messages_and_broadcasts_arrive_as_events_with_the_group_and_the_sender()
    {
        await using var listener = await GatewayClient.ConnectAsync(_gateway.WebSocketUri("/"));
        await using var speaker = await GatewayClient.ConnectAsync(_gateway.WebSocketUri("/"));
        var received = new List<GatewayEvent>();
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = listener.On("*", e =>
        {
            lock (received)
            {
                received.Add(e);
                if (received.Count == 2)
                {
                    both.TrySetResult();
                }
            }
        });

        await listener.JoinAsync("room");
        await speaker.CallAsync("say", "hello room");
        await speaker.CallAsync("shout", "hello all");
        await both.Task.WaitAsync(Eventually.Patience);

        Assert.Equal(["room"], listener.Groups);
        Assert.Equal(("group", "room", "hello room", speaker.Welcome!.Session), (received[0].Event, received[0].Group, received[0].Text, received[0].From?.Session));
        Assert.Equal(("broadcast", "hello all"), (received[1].Event, received[1].Text));
    }

    [Fact]
    public async Task A_refused_token_is_an_authentication_exception_and_is_not_retried()
    {
        await using var gateway = await ProtocolTestCommands.StartGatewayAsync(o =>
        {
            o.Authentication.Methods = ["apikey"];
            o.Authentication.ApiKeys = [new() { Name = "app", Key = "right-key-0123456789abcdef", Roles = [] }];
        });
        var options = new GatewayClientOptions { Token = "wrong-key-0123456789abcdef", InitialDelay = TimeSpan.FromMilliseconds(10) };

        var refused = await Assert.ThrowsAsync<AuthenticationException>(() => GatewayClient.ConnectAsync(gateway.WebSocketUri("/"), options));

        Assert.Equal(("auth_refused", 4401), (refused.Code, refused.CloseCode));
        Assert.Equal(1, gateway.Logs.Messages().Count(m => m.Contains("refused with 401", StringComparison.Ordinal)));

        // With the right key it is in.
        await using var client = await GatewayClient.ConnectAsync(gateway.WebSocketUri("/"), options with { Token = "right-key-0123456789abcdef" });
        Assert.Equal("app", client.Welcome!.Identity.Name);
    }

    [Fact]
    public async Task A_client_reconnects_to_a_restarted_gateway_by_itself_and_is_back_in_its_groups()
    {
        int port = WsGateway.IntegrationTests.Cluster.RedisServer.FreePort();
        var first = await ProtocolTestCommands.StartGatewayAsync(o => o.Listen.Port = port);
        ProtocolTestCommands.Register(first);
        var url = new Uri($"ws://127.0.0.1:{port}/");
        await using var client = await GatewayClient.ConnectAsync(url, new GatewayClientOptions { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1) });
        var states = new List<GatewayClientState>();
        client.StateChanged += state => { lock (states) { states.Add(state); } };
        await client.JoinAsync("room");
        var firstSession = client.Welcome!.Session;

        await first.DisposeAsync();
        await using var second = await ProtocolTestCommands.StartGatewayAsync(o => o.Listen.Port = port);
        ProtocolTestCommands.Register(second);
        Assert.True(await Eventually.TrueAsync(() => client.State == GatewayClientState.Open && client.Welcome!.Session != firstSession || client.State == GatewayClientState.Open && states.Contains(GatewayClientState.Reconnecting), Eventually.Patience), $"state {client.State}");

        var rejoined = new TaskCompletionSource<GatewayEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var _ = client.On("group", e => rejoined.TrySetResult(e));
        await using var speaker = await GatewayClient.ConnectAsync(url);
        await speaker.CallAsync("say", "after the restart");

        Assert.Equal("after the restart", (await rejoined.Task.WaitAsync(Eventually.Patience)).Text);
        Assert.Contains(GatewayClientState.Reconnecting, states);
    }

    private sealed record Forecast(string City, double Celsius);
}
