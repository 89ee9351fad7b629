using System.Text.Json;
using WsGateway.IntegrationTests.Commands;

namespace WsGateway.IntegrationTests.Interop;

/// <summary>
/// The gateway's JavaScript client (src/clients/js/wsgateway.js) in node over the npm package <c>ws</c>, against a
/// real gateway: calls end once with their replies or their error code, events carry group and sender, a refused
/// token is reported as such and not retried, and a restarted gateway gets the client back, in its groups.
/// </summary>
public sealed class JsClientTests
{
    [Fact]
    public async Task Calls_resolve_once_with_their_replies_or_reject_with_their_code()
    {
        await using var gateway = await ProtocolTestCommands.StartGatewayAsync();
        ProtocolTestCommands.Register(gateway);

        var result = await NodeWsClient.RunLibraryAsync(gateway.WebSocketUri("/"), "calls");

        Assert.Equal("anonymous", result.GetProperty("welcome").GetProperty("identity").GetProperty("name").GetString());
        Assert.Equal(0, result.GetProperty("quiet").GetProperty("replies").GetArrayLength());
        Assert.Equal(["hi Ada"], Strings(result.GetProperty("greet").GetProperty("replies")));
        Assert.Equal(["1", "2", "3"], Strings(result.GetProperty("count").GetProperty("replies")));
        Assert.Equal("Oslo", result.GetProperty("weather").GetProperty("replies")[0].GetProperty("city").GetString());
        Assert.Equal("unknown_command", result.GetProperty("unknown").GetProperty("error").GetString());
        Assert.Equal("failed", result.GetProperty("boom").GetProperty("error").GetString());
        Assert.Equal("timeout", result.GetProperty("timeout").GetProperty("error").GetString());
        Assert.Equal("aborted", result.GetProperty("aborted").GetProperty("error").GetString());
        Assert.True(result.GetProperty("manyMatched").GetBoolean(), "1,000 calls in flight were matched to their replies");
    }

    [Fact]
    public async Task Group_messages_and_broadcasts_arrive_as_events_with_the_group_and_the_sender()
    {
        await using var gateway = await ProtocolTestCommands.StartGatewayAsync();
        ProtocolTestCommands.Register(gateway);

        var result = await NodeWsClient.RunLibraryAsync(gateway.WebSocketUri("/"), "events");

        var received = result.GetProperty("received");
        Assert.Equal(["room"], Strings(result.GetProperty("groups")));
        Assert.Equal(("group", "room", "hello room"), (received[0].GetProperty("event").GetString(), received[0].GetProperty("group").GetString(), received[0].GetProperty("text").GetString()));
        Assert.Equal(result.GetProperty("speaker").GetString(), received[0].GetProperty("from").GetProperty("session").GetString());
        Assert.Equal(("broadcast", "hello all"), (received[1].GetProperty("event").GetString(), received[1].GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Back_from_a_disconnection_it_gets_what_its_group_missed_once_and_in_order_before_live_messages()
    {
        await using var gateway = await ProtocolTestCommands.StartGatewayAsync(o => o.History.Groups = [new() { Pattern = "room", Size = 100, TtlSeconds = 600 }]);
        ProtocolTestCommands.Register(gateway);

        var result = await NodeWsClient.RunLibraryAsync(gateway.WebSocketUri("/"), "recovery");

        var received = result.GetProperty("received").EnumerateArray().Select(r => (r.GetProperty("text").GetString(), r.GetProperty("offset").GetInt64())).ToList();
        Assert.Equal([("one", 1L), ("two", 2L), ("three", 3L), ("four", 4L), ("five", 5L)], received);
        var recovered = Assert.Single(result.GetProperty("recovered").EnumerateArray());
        Assert.Equal(("room", true, 2), (recovered.GetProperty("group").GetString(), recovered.GetProperty("recovered").GetBoolean(), recovered.GetProperty("missed").GetInt32()));
        var history = result.GetProperty("history");
        Assert.Equal(5, history.GetProperty("offset").GetInt64());
        Assert.Equal(["four", "five"], Strings(history.GetProperty("messages"), "text"));
    }

    [Fact]
    public async Task Away_for_more_than_one_history_call_gives_it_reads_on_until_it_has_every_message()
    {
        await using var gateway = await ProtocolTestCommands.StartGatewayAsync(o => o.History.Groups = [new() { Pattern = "room", Size = 2000, TtlSeconds = 600 }]);
        ProtocolTestCommands.Register(gateway);

        var result = await NodeWsClient.RunLibraryAsync(gateway.WebSocketUri("/"), "recoveryPaged");

        Assert.Equal(1501, result.GetProperty("count").GetInt32());
        Assert.True(result.GetProperty("inOrder").GetBoolean(), "the events' offsets are not 1, 2, 3, …");
        var recovered = Assert.Single(result.GetProperty("recovered").EnumerateArray());
        Assert.Equal(("room", true, 1500), (recovered.GetProperty("group").GetString(), recovered.GetProperty("recovered").GetBoolean(), recovered.GetProperty("missed").GetInt32()));
    }

    [Fact]
    public async Task A_refused_token_is_reported_as_an_authentication_error_and_not_retried()
    {
        await using var gateway = await ProtocolTestCommands.StartGatewayAsync(o =>
        {
            o.Authentication.Methods = ["apikey"];
            o.Authentication.ApiKeys = [new() { Name = "app", Key = "right-key-0123456789abcdef", Roles = [] }];
        });

        var result = await NodeWsClient.RunLibraryAsync(gateway.WebSocketUri("/"), "refused", "wrong-key-0123456789abcdef");

        Assert.True(result.GetProperty("authentication").GetBoolean());
        Assert.Equal("auth_refused", result.GetProperty("code").GetString());
        Assert.Equal(4401, result.GetProperty("closeCode").GetInt32());
        Assert.Equal("closed", result.GetProperty("state").GetString());
        Assert.DoesNotContain("reconnecting", Strings(result.GetProperty("states")));
    }

    [Fact]
    public async Task A_client_reconnects_to_a_restarted_gateway_by_itself_and_is_back_in_its_groups()
    {
        int port = WsGateway.IntegrationTests.Cluster.RedisServer.FreePort();
        var first = await ProtocolTestCommands.StartGatewayAsync(o => o.Listen.Port = port);
        var probe = ProtocolTestCommands.Register(first);
        var url = new Uri($"ws://127.0.0.1:{port}/");

        var client = NodeWsClient.StartLibraryAsync(url, "reconnect");
        Assert.True(await Eventually.TrueAsync(() => Volatile.Read(ref probe.Joins) > 0, Eventually.Patience), "the client never joined");
        await first.DisposeAsync();

        await using var second = await ProtocolTestCommands.StartGatewayAsync(o => o.Listen.Port = port);
        ProtocolTestCommands.Register(second);
        var result = NodeWsClient.Parse(await client);

        Assert.Contains("reconnecting", Strings(result.GetProperty("states")));
        Assert.Equal("open", Strings(result.GetProperty("states"))[^1]);
        Assert.Equal(["room"], Strings(result.GetProperty("groups")));
        Assert.Equal("after the restart", result.GetProperty("rejoined").GetString());
    }

    [Fact]
    public async Task Bye_ends_the_call_then_the_close_1000_ends_the_client_until_reconnect_starts_it_again_in_its_groups()
    {
        await using var gateway = await ProtocolTestCommands.StartGatewayAsync();
        ProtocolTestCommands.Register(gateway);

        var result = await NodeWsClient.RunLibraryAsync(gateway.WebSocketUri("/"), "bye");

        Assert.Equal(["Goodbye!"], Strings(result.GetProperty("bye").GetProperty("replies")));
        var close = Assert.Single(result.GetProperty("afterBye").GetProperty("closes").EnumerateArray());
        Assert.Equal((1000, "bye", true), (close.GetProperty("code").GetInt32(), close.GetProperty("reason").GetString(), close.GetProperty("wasOpen").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, close.GetProperty("reconnectInMs").ValueKind);
        var afterBye = result.GetProperty("afterBye");
        Assert.Equal("closed", afterBye.GetProperty("state").GetString());
        Assert.Equal("closed", afterBye.GetProperty("call").GetProperty("error").GetString());
        Assert.Equal("closed", afterBye.GetProperty("ready").GetString());
        // Ended, then started again by reconnect(): never in back-off.
        Assert.Equal(["open", "closed", "connecting", "open"], Strings(result.GetProperty("states")));
        Assert.True(result.GetProperty("newSession").GetBoolean());
        Assert.Equal("after reconnect()", result.GetProperty("rejoined").GetString());
    }

    [Fact]
    public async Task Reconnect_skips_the_back_off_after_a_close_the_client_reconnects_from()
    {
        await using var gateway = await ProtocolTestCommands.StartGatewayAsync();
        ProtocolTestCommands.Register(gateway);

        var result = await NodeWsClient.RunLibraryAsync(gateway.WebSocketUri("/"), "retryNow");

        // A call that closes its session still ends with its result.
        Assert.Equal(0, result.GetProperty("dropped").GetProperty("replies").GetArrayLength());
        var close = result.GetProperty("close");
        Assert.Equal((4000, "drop", "reconnecting"), (close.GetProperty("code").GetInt32(), close.GetProperty("reason").GetString(), close.GetProperty("state").GetString()));
        Assert.InRange(close.GetProperty("reconnectInMs").GetDouble(), 0, 60_000);
        Assert.True(result.GetProperty("newSession").GetBoolean());
        Assert.Equal(["room"], Strings(result.GetProperty("groups")));
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private static string[] Strings(JsonElement array, string property) => [.. array.EnumerateArray().Select(e => e.GetProperty(property).GetString()!)];
}
