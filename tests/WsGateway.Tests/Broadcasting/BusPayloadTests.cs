using System.Text;
using WsGateway.Broadcasting;

namespace WsGateway.Tests.Broadcasting;

public sealed class BusPayloadTests
{
    [Theory]
    [InlineData(null, "hello everyone")]
    [InlineData("chat:lobby", "[lobby] ada: \"quoted\" and ünïcode ✓")]
    [InlineData("room#1", "")]
    public void A_message_reads_back_as_it_was_written(string? group, string text)
    {
        var payload = BusPayload.Message(new BusMessage(To(group), text, "node-a"), "0a1b2c3d");

        Assert.Null(BusPayload.TryRead(payload, out var parsed));
        Assert.Equal(BusPayload.PayloadKind.Message, parsed.Kind);
        Assert.Equal("node-a", parsed.Node);
        Assert.Equal("0a1b2c3d", parsed.Instance);
        Assert.Equal(new BusMessage(To(group), text, "node-a"), parsed.Message);
    }

    [Theory]
    [InlineData("user", "ada", null)]
    [InlineData("session", "00c0ffee00c0ffee", "order.shipped")]
    [InlineData("group", "room", "typing")]
    [InlineData("everyone", null, null)]
    public void Messages_to_users_and_sessions_and_with_data_or_an_event_read_back_as_written(string kind, string? name, string? eventName)
    {
        var message = new BusMessage(new Audience(Enum.Parse<AudienceKind>(kind, ignoreCase: true), name), null, "node-a", "0000a7", "bob", """{"order":123,"items":[1,2],"note":"\"x\""}""", eventName);

        Assert.Null(BusPayload.TryRead(BusPayload.Message(message, "0a1b2c3d"), out var parsed));

        Assert.Equal(message, parsed.Message);
    }

    [Fact]
    public void Only_text_to_everyone_or_a_group_keeps_the_form_older_nodes_read()
    {
        Assert.StartsWith("""{"k":"m",""", Encoding.UTF8.GetString(BusPayload.Message(new BusMessage(Audience.Group("room"), "hi", "a"), "1")));
        // A node from before users and sessions ignores this kind instead of delivering it to everyone.
        Assert.StartsWith("""{"k":"x",""", Encoding.UTF8.GetString(BusPayload.Message(new BusMessage(Audience.User("ada"), "hi", "a"), "1")));
    }

    [Fact]
    public void A_message_a_session_sent_carries_its_session_and_user_and_an_older_node_reads_it_without_them()
    {
        var message = new BusMessage(Audience.Group("room"), "hi", "node-a", "0000a7", "ada");
        var payload = BusPayload.Message(message, "0a1b2c3d");

        Assert.Null(BusPayload.TryRead(payload, out var parsed));
        Assert.Equal(message, parsed.Message);

        // What a node without the sender fields writes still reads: a message from nobody in particular.
        Assert.Null(BusPayload.TryRead("""{"k":"m","n":"node-b","i":"ffff0000","g":"room","t":"hi"}"""u8, out var old));
        Assert.Equal(new BusMessage(Audience.Group("room"), "hi", "node-b"), old.Message);
    }

    [Fact]
    public void Queries_and_answers_read_back_as_written()
    {
        var query = new ClusterQuery(ClusterQueryKind.Disconnect, User: "ada", Group: "room", Session: "00c0ffee00c0ffee", CloseCode: 4000, Reason: "bye \"now\"");
        Assert.Null(BusPayload.TryRead(BusPayload.Query("node-a", "0a1b2c3d", "q1", query), out var asked));
        Assert.Equal((BusPayload.PayloadKind.Query, "q1", query), (asked.Kind, asked.QueryId, asked.Query));

        var since = new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
        var answer = new NodeAnswer("node-b", [
            new SessionSummary("00c0ffee00c0ffee", "ada", ["admin", "ops"], "node-b", "127.0.0.1:5000", "/", since, ["room", "user:ada"],
                new SessionTraffic(3, 120, 4, 5_000_000_000), new RunningCommand("report", since.AddSeconds(5))),
            new SessionSummary("00c0ffee00c0fff0", null, [], "node-b", null, "/chat", since, []),
        ], 3);
        Assert.Null(BusPayload.TryRead(BusPayload.Answer("ffff0000", "q1", answer), out var answered));
        Assert.Equal((BusPayload.PayloadKind.Answer, "q1", "node-b", 3), (answered.Kind, answered.QueryId, answered.Answer!.Node, answered.Answer.Disconnected));
        Assert.Equal(answer.Sessions.Count, answered.Answer.Sessions.Count);
        for (int i = 0; i < answer.Sessions.Count; i++)
        {
            var (expected, actual) = (answer.Sessions[i], answered.Answer.Sessions[i]);
            Assert.Equal((expected.Id, expected.User, expected.Node, expected.Address, expected.Path, expected.ConnectedAt), (actual.Id, actual.User, actual.Node, actual.Address, actual.Path, actual.ConnectedAt));
            Assert.Equal(expected.Roles, actual.Roles);
            Assert.Equal(expected.Groups, actual.Groups);
            Assert.Equal((expected.Traffic, expected.Running), (actual.Traffic, actual.Running));
        }
    }

    [Fact]
    public void Activity_queries_and_their_answers_read_back_as_written()
    {
        var query = new ClusterQuery(ClusterQueryKind.Activity);
        Assert.Null(BusPayload.TryRead(BusPayload.Query("node-a", "0a1b2c3d", "q2", query), out var asked));
        Assert.Equal(query, asked.Query);

        const string report = """{"commands":[{"command":"greet","calls":2}],"reloads":[],"refusalCounts":{"origin":1},"refusals":[]}""";
        Assert.Null(BusPayload.TryRead(BusPayload.Answer("ffff0000", "q2", new NodeAnswer("node-b", [], 0, report)), out var answered));
        Assert.Equal(report, answered.Answer!.Activity);
        Assert.Null(BusPayload.TryRead(BusPayload.Answer("ffff0000", "q1", new NodeAnswer("node-b", [], 0)), out var plain));
        Assert.Null(plain.Answer!.Activity);
    }

    [Fact]
    public void Heartbeats_and_goodbyes_carry_their_node()
    {
        Assert.Null(BusPayload.TryRead(BusPayload.Heartbeat("node-b", "ffff0000", 42), out var heartbeat));
        Assert.Equal((BusPayload.PayloadKind.Heartbeat, "node-b", "ffff0000", 42), (heartbeat.Kind, heartbeat.Node, heartbeat.Instance, heartbeat.Sessions));

        Assert.Null(BusPayload.TryRead(BusPayload.Goodbye("node-b", "ffff0000"), out var goodbye));
        Assert.Equal((BusPayload.PayloadKind.Goodbye, "node-b"), (goodbye.Kind, goodbye.Node));
    }

    [Theory]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"k\":\"m\",\"n\":\"a\",\"t\":\"x\"}", "no node name or instance")]
    [InlineData("{\"k\":\"m\",\"i\":\"1\",\"t\":\"x\"}", "no node name or instance")]
    [InlineData("{\"k\":\"m\",\"n\":\"a\",\"i\":\"1\"}", "a message without text")]
    [InlineData("{\"k\":\"m\",\"n\":\"a\",\"i\":\"1\",\"g\":\"has space\",\"t\":\"x\"}", "a message for an invalid group name")]
    [InlineData("{\"k\":\"zzz\",\"n\":\"a\",\"i\":\"1\"}", "unknown kind \"zzz\"")]
    [InlineData("{\"k\":\"x\",\"n\":\"a\",\"i\":\"1\",\"a\":\"u\",\"to\":\"ada\"}", "a message without text or data, or with both")]
    [InlineData("{\"k\":\"x\",\"n\":\"a\",\"i\":\"1\",\"a\":\"u\",\"to\":\"ada\",\"t\":\"x\",\"d\":1}", "a message without text or data, or with both")]
    [InlineData("{\"k\":\"x\",\"n\":\"a\",\"i\":\"1\",\"a\":\"q\",\"to\":\"ada\",\"t\":\"x\"}", "a message for an unknown audience \"q\"")]
    [InlineData("{\"k\":\"x\",\"n\":\"a\",\"i\":\"1\",\"a\":\"s\",\"t\":\"x\"}", "a message for an unknown audience \"s\"")]
    [InlineData("{\"k\":\"x\",\"n\":\"a\",\"i\":\"1\",\"a\":\"g\",\"to\":\"a b\",\"t\":\"x\"}", "a message for an invalid group name")]
    [InlineData("{\"k\":\"q\",\"n\":\"a\",\"i\":\"1\",\"op\":\"sessions\"}", "a query without an id")]
    [InlineData("{\"k\":\"q\",\"n\":\"a\",\"i\":\"1\",\"q\":\"7\",\"op\":\"reboot\"}", "a query of unknown operation \"reboot\"")]
    [InlineData("{\"k\":\"a\",\"n\":\"a\",\"i\":\"1\",\"ss\":[]}", "an answer without a query id")]
    public void Anything_else_is_refused_with_a_reason(string json, string reason)
    {
        Assert.Equal(reason, BusPayload.TryRead(Encoding.UTF8.GetBytes(json), out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"k\":\"m\",\"n\":")]
    [InlineData("{\"k\":\"h\",\"n\":\"a\",\"i\":\"1\",\"s\":\"many\"}")]
    [InlineData("\u00ff\u00fe")]
    public void Broken_json_gives_a_reason_not_an_exception(string json)
    {
        Assert.StartsWith("malformed JSON", BusPayload.TryRead(Encoding.Latin1.GetBytes(json), out _) ?? "parsed");
    }

    [Fact]
    public void Unknown_fields_are_skipped_for_newer_nodes()
    {
        var json = "{\"k\":\"m\",\"v\":{\"future\":[1,2]},\"n\":\"a\",\"i\":\"1\",\"g\":null,\"t\":\"x\"}";
        Assert.Null(BusPayload.TryRead(Encoding.UTF8.GetBytes(json), out var parsed));
        Assert.Equal("x", parsed.Message!.Text);
    }

    private static Audience To(string? group) => group is null ? Audience.Everyone : Audience.Group(group);
}
