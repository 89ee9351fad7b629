using System.Net;
using System.Text.Json;
using WsGateway.Client;
using WsGateway.IntegrationTests.Cluster;

namespace WsGateway.IntegrationTests.Api;

/// <summary>
/// A gateway whose cluster bus is down (Cluster:Redis where nothing listens): a publish that would have to reach other
/// nodes is refused with 503 cluster-unavailable and publishes nothing here either; one to a session this node holds goes.
/// </summary>
public sealed class ApiClusterOutageTests
{
    [Fact]
    public async Task A_publish_while_the_bus_is_down_is_refused_whole_except_to_a_session_held_here()
    {
        await using var redis = RedisServer.NotStarted();
        await using var api = await ApiGateway.StartAsync(o => (o.Cluster.Redis, o.Cluster.NodeName) = (redis.ConnectionString, "node-a"));
        Assert.True(await Eventually.TrueAsync(
            async () => (await api.GetAsync("/api/v1/nodes")).Json.GetProperty("degraded").ValueKind == JsonValueKind.String, Eventually.Patience));
        await using var listener = await ListeningClient.ConnectAsync(api.Gateway, "listener");
        await using var client = await GatewayClient.ConnectAsync(api.Gateway.WebSocketUri());

        var refused = await api.PostAsync("/api/v1/publish", """{"everyone":true,"text":"LOST"}""", ApiGateway.PublisherKey);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "cluster-unavailable"), (refused.Status, refused.ProblemName));
        Assert.Equal("5", refused.Header("Retry-After"));
        var degraded = (await api.GetAsync("/api/v1/nodes")).Json.GetProperty("degraded").GetString()!;
        ClusterGateways.AssertHonestBusDown(degraded);
        Assert.Contains(degraded, refused.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var held = await api.PostAsync("/api/v1/publish", $$"""{"session":"{{client.Welcome!.Session}}","text":"here"}""", ApiGateway.PublisherKey);
        Assert.Equal(HttpStatusCode.OK, held.Status);
        Assert.False(held.Json.GetProperty("cluster").GetBoolean());
        await listener.AskAsync("no-such-command", r => r.StartsWith("error", StringComparison.Ordinal));
        Assert.DoesNotContain("LOST", listener.Received);
    }
}
