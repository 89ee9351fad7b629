using System.Collections.Concurrent;
using System.Net;
using WsGateway.Client;
using WsGateway.IntegrationTests.Cluster;

namespace WsGateway.IntegrationTests.Api;

/// <summary>
/// <c>POST /api/v1/publish</c> against real clients: the .NET client of wsgateway.v1 gets the event a command's publish
/// would give it, a plain <see cref="System.Net.WebSockets.ClientWebSocket"/> gets the text (or the data's JSON text).
/// </summary>
public sealed class ApiPublishTests : IAsyncLifetime
{
    private ApiGateway _api = null!;

    public async Task InitializeAsync() => _api = await ApiGateway.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_group_publish_reaches_its_members_as_a_command_publish_to_the_group_does()
    {
        await using var member = await GatewayClient.ConnectAsync(_api.Gateway.WebSocketUri());
        var events = Collect(member, "group");
        await member.JoinAsync("room");
        await using var plain = await ListeningClient.ConnectAsync(_api.Gateway, "plain");
        await plain.AskAsync("join room", r => r == "joined");
        await using var outsider = await ListeningClient.ConnectAsync(_api.Gateway, "outsider");

        var answer = await _api.PostAsync("/api/v1/publish", """{"group":"room","text":"order 123 shipped"}""", ApiGateway.PublisherKey);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(2, answer.Json.GetProperty("delivered").GetProperty("thisNode").GetInt32());
        Assert.False(answer.Json.GetProperty("cluster").GetBoolean());
        Assert.True(await plain.HasReceivedAsync("order 123 shipped"), plain.Describe());
        var fromApi = await Single(events, e => e.Text == "order 123 shipped");
        Assert.Equal(("group", "room", (Sender?)null), (fromApi.Event, fromApi.Group, fromApi.From));

        // The same group through a command: the same event, with who sent it.
        await using var speaker = await GatewayClient.ConnectAsync(_api.Gateway.WebSocketUri());
        await speaker.CallAsync("say", "hello");
        var fromCommand = await Single(events, e => e.Text == "hello");
        Assert.Equal(("group", "room"), (fromCommand.Event, fromCommand.Group));
        Assert.Equal(speaker.Welcome!.Session, fromCommand.From!.Session);
        Assert.True(await plain.HasReceivedAsync("hello"), plain.Describe());

        await plain.AskAsync("no-such-command", r => r.StartsWith("error", StringComparison.Ordinal));
        Assert.DoesNotContain("order 123 shipped", outsider.Received);
    }

    [Fact]
    public async Task A_user_publish_with_data_and_an_event_name_reaches_every_session_of_that_user()
    {
        await using var alice = await GatewayClient.ConnectAsync(_api.Gateway.WebSocketUri(), new GatewayClientOptions { Token = ApiGateway.AliceKey });
        var events = Collect(alice, "order.shipped");
        await using var alicePlain = await ListeningClient.ConnectAsync(_api.Gateway.WebSocketUri($"/?access_token={ApiGateway.AliceKey}"), "alice plain");
        await using var anonymous = await ListeningClient.ConnectAsync(_api.Gateway, "anonymous");
        Assert.Equal("alice", alice.Welcome!.Identity.Name);

        var answer = await _api.PostAsync("/api/v1/publish", """{"user":"alice","data":{"order":123,"items":[1,2]},"event":"order.shipped"}""");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(2, answer.Json.GetProperty("delivered").GetProperty("thisNode").GetInt32());
        var shipped = await Single(events, _ => true);
        Assert.Equal(123, shipped.Data!.Value.GetProperty("order").GetInt32());
        Assert.Null(shipped.Text);
        Assert.True(await alicePlain.HasReceivedAsync("""{"order":123,"items":[1,2]}"""), alicePlain.Describe());
        await anonymous.AskAsync("no-such-command", r => r.StartsWith("error", StringComparison.Ordinal));
        Assert.Single(anonymous.Received);
    }

    [Fact]
    public async Task A_session_publish_reaches_that_session_only_as_a_direct_event()
    {
        await using var one = await GatewayClient.ConnectAsync(_api.Gateway.WebSocketUri());
        await using var other = await GatewayClient.ConnectAsync(_api.Gateway.WebSocketUri());
        var toOne = Collect(one, "direct");
        var toOther = Collect(other, "direct");

        var answer = await _api.PostAsync("/api/v1/publish", $$"""{"session":"{{one.Welcome!.Session}}","text":"just you"}""", ApiGateway.PublisherKey);

        Assert.Equal(1, answer.Json.GetProperty("delivered").GetProperty("thisNode").GetInt32());
        Assert.Equal("just you", (await Single(toOne, _ => true)).Text);
        await other.CallAsync("quiet");
        Assert.Empty(toOther);
    }

    [Fact]
    public async Task An_everyone_publish_reaches_protocol_clients_as_a_broadcast_and_plain_clients_as_text()
    {
        await using var protocol = await GatewayClient.ConnectAsync(_api.Gateway.WebSocketUri());
        var events = Collect(protocol, "broadcast");
        await using var plain = await ListeningClient.ConnectAsync(_api.Gateway, "plain");

        var answer = await _api.PostAsync("/api/v1/publish", """{"everyone":true,"text":"restart at 18:00"}""", ApiGateway.PublisherKey);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(2, answer.Json.GetProperty("delivered").GetProperty("thisNode").GetInt32());
        Assert.Equal("restart at 18:00", (await Single(events, _ => true)).Text);
        Assert.True(await plain.HasReceivedAsync("restart at 18:00"), plain.Describe());
    }

    private static ConcurrentQueue<GatewayEvent> Collect(GatewayClient client, string name)
    {
        var events = new ConcurrentQueue<GatewayEvent>();
        client.On(name, events.Enqueue);
        return events;
    }

    private static async Task<GatewayEvent> Single(ConcurrentQueue<GatewayEvent> events, Func<GatewayEvent, bool> match)
    {
        Assert.True(await Eventually.TrueAsync(() => events.Any(match), Eventually.Patience), "the event did not arrive");
        return events.Single(match);
    }
}
