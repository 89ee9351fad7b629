using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using WsGateway.Client;

namespace WsGateway.IntegrationTests.Api;

/// <summary>Sessions, presence, nodes and disconnect through the API, against real clients.</summary>
public sealed class ApiSessionTests : IAsyncLifetime
{
    private ApiGateway _api = null!;

    public async Task InitializeAsync() => _api = await ApiGateway.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Sessions_filter_by_user_and_group_and_presence_lists_a_groups_members()
    {
        await using var alice = await GatewayClient.ConnectAsync(_api.Gateway.WebSocketUri(), new GatewayClientOptions { Token = ApiGateway.AliceKey });
        await alice.JoinAsync("room");
        await using var anonymous = await GatewayClient.ConnectAsync(_api.Gateway.WebSocketUri());
        await anonymous.JoinAsync("lobby");

        var all = await _api.GetAsync("/api/v1/sessions");
        Assert.Equal(HttpStatusCode.OK, all.Status);
        Assert.True(all.Json.GetProperty("complete").GetBoolean());
        Assert.Equal(0, all.Json.GetProperty("missingNodes").GetArrayLength());
        Assert.Equal(
            new[] { alice.Welcome!.Session, anonymous.Welcome!.Session }.Order(StringComparer.Ordinal),
            Ids(all).Order(StringComparer.Ordinal));

        var byUser = await _api.GetAsync("/api/v1/sessions?user=alice");
        var only = Assert.Single(byUser.Json.GetProperty("sessions").EnumerateArray());
        Assert.Equal((alice.Welcome.Session, "alice", true), (only.GetProperty("id").GetString(), only.GetProperty("user").GetString(), only.GetProperty("authenticated").GetBoolean()));
        Assert.Equal(["room"], only.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));

        Assert.Equal([anonymous.Welcome.Session], Ids(await _api.GetAsync("/api/v1/sessions?group=lobby")));
        Assert.Empty(Ids(await _api.GetAsync("/api/v1/sessions?user=alice&group=lobby")));

        var presence = await _api.GetAsync("/api/v1/groups/room/presence");
        Assert.Equal(1, presence.Json.GetProperty("count").GetInt32());
        var member = Assert.Single(presence.Json.GetProperty("members").EnumerateArray());
        Assert.Equal((alice.Welcome.Session, "alice"), (member.GetProperty("session").GetString(), member.GetProperty("user").GetString()));
        Assert.Equal(0, (await _api.GetAsync("/api/v1/groups/empty/presence")).Json.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Nodes_lists_this_gateway()
    {
        var nodes = await _api.GetAsync("/api/v1/nodes");

        Assert.Equal(HttpStatusCode.OK, nodes.Status);
        var node = Assert.Single(nodes.Json.GetProperty("nodes").EnumerateArray());
        Assert.Equal(_api.Gateway.Gateway.Bus.NodeId, node.GetProperty("id").GetString());
        Assert.True(node.GetProperty("local").GetBoolean());
        Assert.Equal(JsonValueKind.Null, nodes.Json.GetProperty("degraded").ValueKind);
    }

    [Fact]
    public async Task Disconnecting_a_session_closes_it_with_4000_and_the_reason()
    {
        await using var bystander = await GatewayClient.ConnectAsync(_api.Gateway.WebSocketUri());
        using var client = await _api.Gateway.ConnectAsync();
        string[] ids = [];
        Assert.True(await Eventually.TrueAsync(async () => (ids = Ids(await _api.GetAsync("/api/v1/sessions"))).Length == 2, Eventually.Patience));
        var id = Assert.Single(ids, s => s != bystander.Welcome!.Session);

        var answer = await _api.PostAsync($"/api/v1/sessions/{id}/disconnect", """{"reason":"maintenance"}""");

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(1, answer.Json.GetProperty("disconnected").GetInt32());
        Assert.Equal(((WebSocketCloseStatus)4000, "disconnected by the API: maintenance"), await client.ReceiveCloseAsync());
        Assert.Empty(await bystander.CallAsync("quiet"));
        Assert.True(await Eventually.TrueAsync(async () => Ids(await _api.GetAsync("/api/v1/sessions")).SequenceEqual([bystander.Welcome!.Session]), Eventually.Patience));
    }

    [Fact]
    public async Task Disconnecting_a_user_closes_all_its_sessions_and_no_others()
    {
        using var first = await _api.Gateway.ConnectAsync($"/?access_token={ApiGateway.AliceKey}");
        using var second = await _api.Gateway.ConnectAsync($"/?access_token={ApiGateway.AliceKey}");
        using var other = await _api.Gateway.ConnectAsync();

        var answer = await _api.PostAsync("/api/v1/users/alice/disconnect", """{"reason":"account locked"}""");

        Assert.Equal(2, answer.Json.GetProperty("disconnected").GetInt32());
        Assert.Equal(((WebSocketCloseStatus)4000, "disconnected by the API: account locked"), await first.ReceiveCloseAsync());
        Assert.Equal(((WebSocketCloseStatus)4000, "disconnected by the API: account locked"), await second.ReceiveCloseAsync());
        Assert.NotEmpty(await other.AskAsync("help"));
        Assert.Equal(WebSocketState.Open, other.State);
    }

    private static string[] Ids(ApiAnswer answer) =>
        [.. answer.Json.GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];
}
