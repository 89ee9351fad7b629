using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Net.WebSockets;
using WsGateway.Broadcasting;
using WsGateway.Client;
using WsGateway.Commands;
using WsGateway.Contracts;
using WsGateway.IntegrationTests.Authentication;
using WsGateway.Options;

namespace WsGateway.IntegrationTests.Cluster;

/// <summary>
/// Users and sessions as addresses, across two gateways on a real Redis: a message to a user reaches every session
/// authenticated as that user, on either node, once each; a message to a session id reaches that session only.
/// Clients are the .NET library with JWTs; the commands are the contract's <c>SendToUserAsync</c> and
/// <c>SendToSessionAsync</c>.
/// </summary>
public sealed class ClusterAddressingTests(ClusterAddressingTests.AuthenticatedCluster cluster) : IClassFixture<ClusterAddressingTests.AuthenticatedCluster>
{
    [Theory]
    [InlineData("node-a")]
    [InlineData("node-b")]
    public async Task A_message_to_a_user_reaches_each_of_its_sessions_on_both_nodes_once_and_nobody_else(string from)
    {
        var user = "ada-" + Guid.NewGuid().ToString("N")[..8];
        await using var adaOnA = await Listener.ConnectAsync(cluster.A, user);
        await using var adaOnB1 = await Listener.ConnectAsync(cluster.B, user);
        await using var adaOnB2 = await Listener.ConnectAsync(cluster.B, user);
        await using var bob = await Listener.ConnectAsync(cluster.B, "bob");
        await using var sender = await Listener.ConnectAsync(from == "node-a" ? cluster.A : cluster.B, "carol");

        await sender.Client.CallAsync("tell", $"{user} order 123 shipped");
        await sender.Client.CallAsync("tell", $"{user} end");
        await sender.Client.CallAsync("tell", "bob end");

        foreach (var session in new[] { adaOnA, adaOnB1, adaOnB2 })
        {
            await session.WaitForAsync("end");
            Assert.Equal(["order 123 shipped", "end"], session.Texts);
            var shipped = session.Events.First();
            Assert.Equal("direct", shipped.Event);
            Assert.Null(shipped.Group);
            Assert.Equal(("carol", sender.Client.Welcome!.Session), (shipped.From?.User, shipped.From?.Session));
        }

        // bob's own marker came after the message to ada, from the same sender: had ada's reached him, it would be here.
        await bob.WaitForAsync("end");
        Assert.Equal(["end"], bob.Texts);
        Assert.Empty(sender.Texts);
    }

    [Fact]
    public async Task A_message_to_a_session_id_reaches_that_session_on_the_other_node_only()
    {
        await using var target = await Listener.ConnectAsync(cluster.B, "dave");
        await using var sameUser = await Listener.ConnectAsync(cluster.B, "dave");
        await using var sender = await Listener.ConnectAsync(cluster.A, "erin");

        await sender.Client.CallAsync("whisper", $"{target.Client.Welcome!.Session} psst");
        await sender.Client.CallAsync("tell", "dave end");

        await target.WaitForAsync("end");
        await sameUser.WaitForAsync("end");
        Assert.Equal(["psst", "end"], target.Texts);
        Assert.Equal(["end"], sameUser.Texts);
    }

    [Fact]
    public async Task Anonymous_sessions_are_nobody_and_no_message_to_a_user_reaches_them()
    {
        await using var anonymous = await Listener.ConnectAsync(cluster.A, user: null);
        await using var sender = await Listener.ConnectAsync(cluster.A, "frank");

        await sender.Client.CallAsync("tell", "anonymous hello");
        await sender.Client.CallAsync("whisper", $"{anonymous.Client.Welcome!.Session} end");

        await anonymous.WaitForAsync("end");
        Assert.Equal(["end"], anonymous.Texts);
    }

    [Fact]
    public async Task Presence_of_a_group_and_a_users_sessions_are_listed_from_every_node()
    {
        var room = "room:" + Guid.NewGuid().ToString("N")[..8];
        await using var onA = await Listener.ConnectAsync(cluster.A, "hana");
        await using var onB = await Listener.ConnectAsync(cluster.B, "hana");
        await using var otherOnB = await Listener.ConnectAsync(cluster.B, "ivan");
        await onA.Client.JoinAsync(room);
        await onB.Client.JoinAsync(room);

        foreach (var asking in new[] { cluster.A, cluster.B })
        {
            var presence = await asking.Gateway.CommandRoute.AskClusterAsync(new ClusterQuery(ClusterQueryKind.Sessions, Group: room), Eventually.Patience, CancellationToken.None);
            Assert.True(presence.Complete, $"missing: {string.Join(", ", presence.Missing)}; {presence.Problem}");
            var members = presence.Answers.SelectMany(a => a.Sessions).OrderBy(s => s.Node, StringComparer.Ordinal).ToList();
            Assert.Equal(
                [(onA.Client.Welcome!.Session, "node-a", "hana"), (onB.Client.Welcome!.Session, "node-b", "hana")],
                members.Select(m => (m.Id, m.Node, m.User)));
            Assert.All(members, m => Assert.Contains(room, m.Groups));
        }

        var ivan = await cluster.A.Gateway.CommandRoute.AskClusterAsync(new ClusterQuery(ClusterQueryKind.Sessions, User: "ivan"), Eventually.Patience, CancellationToken.None);
        var only = Assert.Single(ivan.Answers.SelectMany(a => a.Sessions));
        Assert.Equal((otherOnB.Client.Welcome!.Session, "node-b", "/"), (only.Id, only.Node, only.Path));
    }

    [Fact]
    public async Task Disconnecting_a_user_closes_each_of_its_sessions_on_every_node_with_the_reason()
    {
        var token = TestTokens.Create("jack");
        using var onA = await cluster.A.ConnectAsync($"/?access_token={token}");
        using var onB = await cluster.B.ConnectAsync($"/?access_token={token}");
        await using var bystander = await Listener.ConnectAsync(cluster.B, "kate");

        var answer = await cluster.A.Gateway.CommandRoute.AskClusterAsync(
            new ClusterQuery(ClusterQueryKind.Disconnect, User: "jack", CloseCode: 4000, Reason: "signed out everywhere"), Eventually.Patience, CancellationToken.None);

        Assert.True(answer.Complete);
        Assert.Equal(2, answer.Answers.Sum(a => a.Disconnected));
        foreach (var socket in new[] { onA, onB })
        {
            var close = await socket.ReceiveCloseAsync();
            Assert.Equal(((WebSocketCloseStatus)4000, "signed out everywhere"), (close.Status, close.Description));
        }

        Assert.Equal(GatewayClientState.Open, bystander.Client.State);
    }

    [Fact]
    public async Task Through_the_API_of_node_a_a_publish_to_a_user_reaches_its_two_sessions_on_node_b_once_each_and_presence_lists_both_nodes()
    {
        var user = "lena-" + Guid.NewGuid().ToString("N")[..8];
        var room = "room:" + Guid.NewGuid().ToString("N")[..8];
        await using var onB1 = await Listener.ConnectAsync(cluster.B, user);
        await using var onB2 = await Listener.ConnectAsync(cluster.B, user);
        await using var onA = await Listener.ConnectAsync(cluster.A, "mia");
        await onA.Client.JoinAsync(room);
        await onB1.Client.JoinAsync(room);
        using var api = new HttpClient { BaseAddress = cluster.A.HttpUri("/"), Timeout = Eventually.Patience };
        api.DefaultRequestHeaders.Authorization = new("Bearer", AuthenticatedCluster.AdminKey);

        var published = await api.PostAsync("/api/v1/publish", Json($$"""{"user":"{{user}}","data":{"order":123},"event":"order.shipped"}"""));
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        await api.PostAsync("/api/v1/publish", Json($$"""{"user":"{{user}}","text":"end"}"""));

        foreach (var session in new[] { onB1, onB2 })
        {
            await session.WaitForAsync("end");
            Assert.Equal(2, session.Events.Count);
            var shipped = session.Events[0];
            Assert.Equal(("order.shipped", 123), (shipped.Event, shipped.Data!.Value.GetProperty("order").GetInt32()));
            Assert.Null(shipped.From);
        }

        using var presence = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/groups/{room}/presence"));
        Assert.True(presence.RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal(
            [(onA.Client.Welcome!.Session, "node-a"), (onB1.Client.Welcome!.Session, "node-b")],
            presence.RootElement.GetProperty("members").EnumerateArray()
                .Select(m => (m.GetProperty("session").GetString()!, m.GetProperty("node").GetString()!))
                .OrderBy(m => m.Item2, StringComparer.Ordinal));

        // A user's sessions on the other node are disconnected from this one.
        var disconnected = await api.PostAsync($"/api/v1/users/{user}/disconnect", Json("""{"reason":"account locked"}"""));
        using var answer = JsonDocument.Parse(await disconnected.Content.ReadAsStringAsync());
        Assert.Equal(2, answer.RootElement.GetProperty("disconnected").GetInt32());
    }

    [Fact]
    public async Task The_admin_data_of_node_b_is_read_through_the_API_of_node_a()
    {
        var user = "nora-" + Guid.NewGuid().ToString("N")[..8];
        await using var onB = await Listener.ConnectAsync(cluster.B, user);
        await onB.Client.CallAsync("whoami");
        using var api = new HttpClient { BaseAddress = cluster.A.HttpUri("/"), Timeout = Eventually.Patience };
        api.DefaultRequestHeaders.Authorization = new("Bearer", AuthenticatedCluster.AdminKey);

        // The session's traffic comes over the bus with it: one call in; the welcome, the reply and the result out.
        using var sessions = JsonDocument.Parse(await api.GetStringAsync($"/api/v1/sessions?user={user}"));
        var session = Assert.Single(sessions.RootElement.GetProperty("sessions").EnumerateArray());
        Assert.Equal(("node-b", 1L, 3L), (session.GetProperty("node").GetString(), session.GetProperty("messagesIn").GetInt64(), session.GetProperty("messagesOut").GetInt64()));
        Assert.Equal(JsonValueKind.Null, session.GetProperty("running").ValueKind);

        using var commands = JsonDocument.Parse(await api.GetStringAsync("/api/v1/commands"));
        Assert.True(commands.RootElement.GetProperty("complete").GetBoolean());
        Assert.Contains(commands.RootElement.GetProperty("commands").EnumerateArray(), c =>
            c.GetProperty("node").GetString() == "node-b" && c.GetProperty("command").GetString() == "whoami" && c.GetProperty("calls").GetInt64() >= 1);

        // A script edited on node-b is listed by node-a, with its node.
        var script = $"stamp{Guid.NewGuid().ToString("N")[..8]}.csx";
        await File.WriteAllTextAsync(Path.Combine(cluster.B.Root, "scripts", script), "\"v1\"\n");
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            using var reloads = JsonDocument.Parse(await api.GetStringAsync("/api/v1/reloads"));
            return reloads.RootElement.GetProperty("reloads").EnumerateArray().Any(r =>
                r.GetProperty("name").GetString() == script && r.GetProperty("node").GetString() == "node-b" && r.GetProperty("outcome").GetString() == "loaded");
        }, Eventually.Patience));
        using var refusals = JsonDocument.Parse(await api.GetStringAsync("/api/v1/refusals"));
        Assert.True(refusals.RootElement.GetProperty("complete").GetBoolean());
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    /// <summary>A library client that keeps the texts of the events it receives, in arrival order.</summary>
    private sealed class Listener : IAsyncDisposable
    {
        private readonly ConcurrentQueue<GatewayEvent> _events = new();

        private Listener(GatewayClient client)
        {
            Client = client;
            client.On("*", _events.Enqueue);
        }

        public GatewayClient Client { get; }

        public IReadOnlyList<GatewayEvent> Events => [.. _events];

        public IReadOnlyList<string?> Texts => [.. _events.Select(e => e.Text)];

        /// <param name="user">Connects with a token for this user; anonymously when null.</param>
        public static async Task<Listener> ConnectAsync(TestGateway gateway, string? user)
        {
            var options = new GatewayClientOptions { Token = user is null ? null : TestTokens.Create(user) };
            return new Listener(await GatewayClient.ConnectAsync(gateway.WebSocketUri("/"), options));
        }

        public async Task WaitForAsync(string text) =>
            Assert.True(await Eventually.TrueAsync(() => _events.Any(e => e.Text == text), Eventually.Patience),
                $"never received \"{text}\"; received: {string.Join(" | ", Texts)}");

        public ValueTask DisposeAsync() => Client.DisposeAsync();
    }

    /// <summary>Redis and two gateways that take JWTs or anonymous clients, with <c>tell USER TEXT</c> and <c>whisper SESSION TEXT</c>.</summary>
    public sealed class AuthenticatedCluster : IAsyncLifetime
    {
        public const string AdminKey = "cluster-admin-key-0123456789";

        private static readonly CommandOrigin Origin = new(CommandOriginKind.Plugin, "AddressingTests", "1.0.0");

        public RedisServer Redis { get; private set; } = null!;
        public TestGateway A { get; private set; } = null!;
        public TestGateway B { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Redis = await RedisServer.StartAsync();
            try
            {
                var prefix = ClusterGateways.UniquePrefix("addressing");
                A = await StartAsync(prefix, "node-a");
                B = await StartAsync(prefix, "node-b");
                await ClusterGateways.WaitUntilTheySeeEachOtherAsync(A, B);
            }
            catch
            {
                // xunit does not dispose a fixture whose start failed: no redis-server or gateway is left behind.
                await DisposeAsync();
                throw;
            }
        }

        public async Task DisposeAsync()
        {
            foreach (var gateway in new[] { A, B })
            {
                if (gateway is not null)
                {
                    await gateway.DisposeAsync();
                }
            }

            if (Redis is not null)
            {
                await Redis.DisposeAsync();
            }
        }

        private async Task<TestGateway> StartAsync(string prefix, string node)
        {
            var gateway = await TestGateway.StartAsync(options =>
            {
                TestTokens.Configure(options, "jwt", "none");
                options.Authentication.ApiKeys = [new ApiKeyOptions { Name = "ops", Key = AdminKey, Roles = ["admin"] }];
                options.Api.RequestsPerSecond = 0;
                options.Cluster.Redis = Redis.ConnectionString;
                options.Cluster.ChannelPrefix = prefix;
                options.Cluster.NodeName = node;
                options.Cluster.HeartbeatSeconds = ClusterGateways.HeartbeatSeconds;
            });
            gateway.Gateway.Registry.SetSource("addressing", [
                new CommandDescriptor("tell", "tell USER TEXT", Origin, ctx => ctx.SendToUserAsync(Word(ctx.Arguments, out var rest), rest)),
                new CommandDescriptor("join", "join GROUP", Origin, ctx => ctx.JoinGroupAsync(ctx.Arguments)),
                new CommandDescriptor("whisper", "whisper SESSION TEXT", Origin, ctx => ctx.SendToSessionAsync(Word(ctx.Arguments, out var rest), rest)),
            ]);
            return gateway;
        }

        private static string Word(string arguments, out string rest)
        {
            var space = arguments.IndexOf(' ', StringComparison.Ordinal);
            rest = arguments[(space + 1)..];
            return arguments[..space];
        }
    }
}
