using System.Text.RegularExpressions;

namespace WsGateway.IntegrationTests.Cluster;

/// <summary>
/// Groups across two gateways sharing a real Redis, through the sample Chat plugin: a room's messages reach its members
/// on both nodes once, and nobody else; leaving or closing stops delivery.
/// </summary>
/// <remarks>
/// Proving that something did not arrive: after the message, the sender broadcasts a marker. Both go through the same
/// node and bus in that order, so once a client has the marker, the message would have reached it already. Late
/// duplicates are ruled out the same way (<see cref="ClusterGateways.ExchangeMarkersAsync"/>).
/// </remarks>
public sealed partial class ClusterGroupTests(TwoNodeCluster cluster) : IClassFixture<TwoNodeCluster>
{
    [Fact]
    public async Task Say_reaches_the_rooms_members_on_both_nodes_once_and_nobody_else()
    {
        await using var a1 = await ListeningClient.ConnectAsync(cluster.A, "a1 (node-a, lobby)");
        await using var a2 = await ListeningClient.ConnectAsync(cluster.A, "a2 (node-a, no room)");
        await using var b1 = await ListeningClient.ConnectAsync(cluster.B, "b1 (node-b, lobby)");
        await using var b2 = await ListeningClient.ConnectAsync(cluster.B, "b2 (node-b, other)");
        var room = new Room("lobby");
        await room.JoinAsync(a1);
        await room.JoinAsync(b1);
        await new Room("other").JoinAsync(b2);

        var text = $"hi {Guid.NewGuid():N}";
        await a1.SendAsync("say " + text);
        var said = $"[lobby] {room.Nick(a1)}: {text}";
        var marker = await BroadcastMarkerAsync(a1, a1, a2, b1, b2);

        await ClusterGateways.AssertEachGetsItOnceAsync(said, a1, b1);
        Assert.Equal(0, a2.Count(said));
        Assert.Equal(0, b2.Count(said));
        Assert.DoesNotContain(b2.Received, m => m.Contains("lobby", StringComparison.Ordinal));
        Assert.Equal(1, b2.Count(marker));
    }

    [Fact]
    public async Task After_leave_a_member_on_the_other_node_hears_the_room_no_more()
    {
        await using var a1 = await ListeningClient.ConnectAsync(cluster.A, "a1 (node-a, lobby)");
        await using var b1 = await ListeningClient.ConnectAsync(cluster.B, "b1 (node-b, lobby, leaves)");
        await using var b2 = await ListeningClient.ConnectAsync(cluster.B, "b2 (node-b, lobby)");
        var room = new Room("lobby");
        await room.JoinAsync(a1);
        await room.JoinAsync(b1);
        await room.JoinAsync(b2);

        Assert.Equal("You left lobby.", await b1.AskAsync("leave", m => m.StartsWith("You ", StringComparison.Ordinal)));
        var left = $"* {room.Nick(b1)} left lobby";
        await ClusterGateways.AssertEachGetsItOnceAsync(left, a1, b2);
        Assert.Equal(0, b1.Count(left));

        var text = $"after leave {Guid.NewGuid():N}";
        await a1.SendAsync("say " + text);
        var said = $"[lobby] {room.Nick(a1)}: {text}";
        await BroadcastMarkerAsync(a1, a1, b1, b2);

        await ClusterGateways.AssertEachGetsItOnceAsync(said, a1, b2);
        Assert.Equal(0, b1.Count(said));
        Assert.Equal("You are in no room; join <room> first.", await b1.AskAsync("say anyone?", m => m.StartsWith("You ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_closed_member_drops_out_of_the_room_and_the_others_still_hear_it()
    {
        await using var a1 = await ListeningClient.ConnectAsync(cluster.A, "a1 (node-a, lobby)");
        await using var b1 = await ListeningClient.ConnectAsync(cluster.B, "b1 (node-b, lobby)");
        var b2 = await ListeningClient.ConnectAsync(cluster.B, "b2 (node-b, lobby, closes)");
        var room = new Room("lobby");
        await room.JoinAsync(a1);
        await room.JoinAsync(b1);
        await room.JoinAsync(b2);
        var before = $"before close {Guid.NewGuid():N}";
        await a1.SendAsync("say " + before);
        await ClusterGateways.AssertEachGetsItOnceAsync($"[lobby] {room.Nick(a1)}: {before}", a1, b1, b2);

        await b2.CloseAsync();
        Assert.Null(b2.Failure);
        await b2.DisposeAsync();
        // Its node forgets it as a member once its side of the close is through, which may come after the client's:
        // ask again until it has.
        var who = await Eventually.ValueAsync(
            async () => (string?)await b1.AskAsync("who", m => m.StartsWith("In lobby", StringComparison.Ordinal)),
            reply => reply is not null && !reply.Contains(room.Nick(b2), StringComparison.Ordinal),
            Eventually.Patience);
        Assert.DoesNotContain(room.Nick(b2), who!, StringComparison.Ordinal);
        Assert.Contains(room.Nick(b1), who, StringComparison.Ordinal);
        // who asks every node: the member on node-a is listed by node-b too.
        Assert.Contains(room.Nick(a1), who, StringComparison.Ordinal);
        Assert.DoesNotContain("not heard from", who, StringComparison.Ordinal);

        var after = $"after close {Guid.NewGuid():N}";
        await a1.SendAsync("say " + after);
        await ClusterGateways.AssertEachGetsItOnceAsync($"[lobby] {room.Nick(a1)}: {after}", a1, b1);
        Assert.Equal(0, b2.Count($"[lobby] {room.Nick(a1)}: {after}"));
        foreach (var gateway in new[] { cluster.A, cluster.B })
        {
            Assert.DoesNotContain(gateway.Logs.Events, e => e.Level >= Serilog.Events.LogEventLevel.Error);
        }
    }

    /// <summary>Broadcasts a unique marker from <paramref name="sender"/> and waits until every client has it.</summary>
    private static async Task<string> BroadcastMarkerAsync(ListeningClient sender, params ListeningClient[] clients)
    {
        var marker = $"marker {Guid.NewGuid():N}";
        await sender.SendAsync("broadcast " + marker);
        foreach (var client in clients)
        {
            Assert.True(await client.HasReceivedAsync(marker), $"{client.Name} never received the marker; it received: {client.Describe()}");
        }

        return marker;
    }

    [GeneratedRegex(@"^\* (guest-\S+) joined (\S+)$")]
    private static partial Regex JoinedPattern();

    /// <summary>
    /// A chat room the test's clients join one after the other. A member's nick (<c>guest-SESSIONID</c>) is read from the
    /// announcement of its own join: the first one naming someone who is not yet known.
    /// </summary>
    private sealed class Room(string name)
    {
        private readonly Dictionary<ListeningClient, string> _members = [];

        public string Nick(ListeningClient member) => _members[member];

        /// <summary>Joins, then waits until every earlier member, on either node, has heard about it.</summary>
        public async Task JoinAsync(ListeningClient client)
        {
            var known = _members.Values.ToHashSet(StringComparer.Ordinal);
            await client.SendAsync("join " + name);
            string? nick = null;
            await Eventually.TrueAsync(
                () => (nick = client.Received
                    .Select(m => JoinedPattern().Match(m))
                    .Where(m => m.Success && m.Groups[2].Value == name && !known.Contains(m.Groups[1].Value))
                    .Select(m => m.Groups[1].Value)
                    .FirstOrDefault()) is not null,
                Eventually.Patience);
            Assert.True(nick is not null, $"{client.Name} did not hear its own join of {name}; it received: {client.Describe()}");
            var announcement = $"* {nick} joined {name}";
            foreach (var member in _members.Keys)
            {
                Assert.True(await member.HasReceivedAsync(announcement), $"{member.Name} did not hear \"{announcement}\"; it received: {member.Describe()}");
            }

            _members[client] = nick;
        }
    }
}
