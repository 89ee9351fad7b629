using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using WsGateway.Commands;
using WsGateway.Contracts;

namespace WsGateway.IntegrationTests.Commands;

/// <summary>
/// <c>wsgateway.v1</c> (docs/protocol.md) with a real client: every call ends with exactly one final frame, errors
/// carry stable codes, pushes are events with their group and sender, and a refused token is told in band. Every
/// frame either side sends is checked against docs/protocol.schema.json.
/// </summary>
public sealed class CallProtocolTests : IAsyncLifetime
{
    private static readonly JsonSchema Schema = JsonSchema.FromFile(Path.Combine(BuildPaths.RepoRoot, "docs", "protocol.schema.json"));
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await ProtocolTestCommands.StartGatewayAsync();
        ProtocolTestCommands.Register(_gateway);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task The_protocol_is_negotiated_and_its_first_frame_is_a_welcome_with_the_session()
    {
        using var client = await ConnectAsync();

        Assert.Equal(CallProtocol.Name, client.SubProtocol);
        var welcome = await ReceiveAsync(client);
        Assert.Equal("welcome", (string?)welcome["type"]);
        Assert.Equal(CallProtocol.Name, (string?)welcome["protocol"]);
        Assert.Equal("anonymous", (string?)welcome["identity"]!["name"]);
        Assert.False((bool)welcome["identity"]!["authenticated"]!);
        Assert.Matches("^[0-9a-f]{16}$", (string?)welcome["session"]);
        Assert.Equal(_gateway.Gateway.Bus.NodeId, (string?)welcome["node"]);
        Assert.StartsWith("r1.", (string?)welcome["resume"]);
    }

    [Theory]
    [InlineData("quiet", 0)]
    [InlineData("greet", 1)]
    [InlineData("count", 3)]
    public async Task A_call_with_zero_one_or_many_replies_ends_with_exactly_one_result(string command, int replies)
    {
        using var client = await ConnectWelcomedAsync();

        await SendAsync(client, new JsonObject { ["type"] = "call", ["id"] = 7, ["command"] = command, ["args"] = "Ada" });
        var frames = await ReceiveCallAsync(client, "7");

        Assert.Equal(replies, frames.Count(f => (string?)f["type"] == "reply"));
        Assert.Single(frames, f => (string?)f["type"] == "result");
        Assert.Equal("result", (string?)frames[^1]["type"]);
        Assert.All(frames, f => Assert.Equal(7, (int)f["id"]!));

        // Nothing more comes for it: the next call's frames are the next ones.
        await SendAsync(client, new JsonObject { ["type"] = "call", ["id"] = "next", ["command"] = "quiet" });
        Assert.Equal("next", (string?)(await ReceiveAsync(client))["id"]);
    }

    [Fact]
    public async Task Data_goes_both_ways_as_json_and_a_command_can_send_its_caller_a_named_event()
    {
        using var client = await ConnectWelcomedAsync();

        await SendAsync(client, new JsonObject { ["type"] = "call", ["id"] = 1, ["command"] = "weather", ["data"] = new JsonObject { ["city"] = "Oslo" } });
        var reply = await ReceiveAsync(client);
        Assert.Equal("Oslo", (string?)reply["data"]!["city"]);
        Assert.Equal(21.5, (double)reply["data"]!["celsius"]!);
        Assert.Equal("result", (string?)(await ReceiveAsync(client))["type"]);

        await SendAsync(client, new JsonObject { ["type"] = "call", ["id"] = 2, ["command"] = "notify" });
        var pushed = await ReceiveAsync(client);
        Assert.Equal(("event", "order.shipped", 123), ((string?)pushed["type"], (string?)pushed["event"], (int)pushed["data"]!["order"]!));
        Assert.Equal("result", (string?)(await ReceiveAsync(client))["type"]);
    }

    [Theory]
    [InlineData("nosuch", CallErrors.UnknownCommand)]
    [InlineData("boom", CallErrors.Failed)]
    [InlineData("secret", CallErrors.Forbidden)]
    public async Task A_failing_call_ends_with_one_error_of_its_code_and_the_connection_goes_on(string command, string code)
    {
        using var client = await ConnectWelcomedAsync();

        await SendAsync(client, new JsonObject { ["type"] = "call", ["id"] = "x", ["command"] = command });
        var error = await ReceiveAsync(client);

        Assert.Equal(("error", "x", code), ((string?)error["type"], (string?)error["id"], (string?)error["code"]));
        Assert.False(string.IsNullOrWhiteSpace((string?)error["message"]));
        await SendAsync(client, new JsonObject { ["type"] = "call", ["id"] = "y", ["command"] = "greet" });
        Assert.Equal("hi ", (string?)(await ReceiveAsync(client))["text"]);
    }

    [Fact]
    public async Task A_call_that_closes_its_session_ends_with_its_result_before_the_close()
    {
        using var client = await ConnectWelcomedAsync();

        await SendAsync(client, new JsonObject { ["type"] = "call", ["id"] = 9, ["command"] = "bye" });
        var frames = await ReceiveCallAsync(client, "9");

        Assert.Equal(["reply", "result"], frames.Select(f => (string?)f["type"]));
        var close = await client.ReceiveCloseAsync();
        Assert.Equal((WebSocketCloseStatus.NormalClosure, "bye"), (close.Status, close.Description));
    }

    [Fact]
    public async Task A_call_that_outlives_the_timeout_ends_with_a_timeout_error()
    {
        var current = _gateway.Gateway.Options.Current;
        Assert.Empty(_gateway.Gateway.Options.Reload(current with { Commands = current.Commands with { TimeoutSeconds = 0.2 } }));
        using var client = await ConnectWelcomedAsync();

        await SendAsync(client, new JsonObject { ["type"] = "call", ["id"] = 1, ["command"] = "hang" });

        Assert.Equal(CallErrors.Timeout, (string?)(await ReceiveAsync(client))["code"]);
    }

    [Theory]
    [InlineData("""{"type":"call","command":"greet"}""", CallErrors.BadId, null)]
    [InlineData("""{"type":"call","id":1.5,"command":"greet"}""", CallErrors.BadId, null)]
    [InlineData("""{"type":"subscribe","id":9,"channel":"x"}""", CallErrors.UnknownType, "9")]
    [InlineData("""{"type":"call","id":9,"command":"greet","args":[]}""", CallErrors.BadFrame, "9")]
    [InlineData("""[1,2,3]""", CallErrors.BadFrame, null)]
    [InlineData("""hello""", CallErrors.BadFrame, null)]
    public async Task A_frame_that_is_not_a_good_call_gets_a_protocol_error_and_nothing_breaks(string frame, string code, string? id)
    {
        using var client = await ConnectWelcomedAsync();

        await client.SendTextAsync(frame);
        var error = await ReceiveAsync(client);

        Assert.Equal(("error", code), ((string?)error["type"], (string?)error["code"]));
        Assert.Equal(id, error["id"]?.ToJsonString());
        await SendAsync(client, new JsonObject { ["type"] = "call", ["id"] = 1, ["command"] = "greet", ["args"] = "again" });
        Assert.Equal("hi again", (string?)(await ReceiveAsync(client))["text"]);
    }

    [Fact]
    public async Task Json_deeper_than_32_levels_is_refused_with_too_deep()
    {
        using var client = await ConnectWelcomedAsync();

        await client.SendTextAsync($$"""{"type":"call","id":3,"command":"greet","data":{{new string('[', 10_000)}}{{new string(']', 10_000)}}}""");

        Assert.Equal(CallErrors.TooDeep, (string?)(await ReceiveAsync(client))["code"]);
    }

    [Fact]
    public async Task A_call_reusing_the_id_of_a_call_in_flight_is_refused_and_the_first_goes_on()
    {
        using var client = await ConnectWelcomedAsync();

        // The first runs until the gateway has received the second.
        await client.SendTextAsync("""{"type":"call","id":"same","command":"second"}""");
        await client.SendTextAsync("""{"type":"call","id":"same","command":"greet"}""");
        var frames = await ReceiveCallAsync(client, "\"same\"");

        Assert.Equal(["reply", "result"], frames.Select(f => (string)f["type"]!));
        Assert.Equal("done", (string?)frames[0]["text"]);
        var duplicate = await ReceiveAsync(client);
        Assert.Equal(("error", CallErrors.DuplicateId, "same"), ((string?)duplicate["type"], (string?)duplicate["code"], (string?)duplicate["id"]));
    }

    [Fact]
    public async Task A_thousand_calls_in_flight_each_end_once_with_their_own_id()
    {
        using var client = await ConnectWelcomedAsync();
        const int Calls = 1_000;

        var sending = Task.Run(async () =>
        {
            for (int i = 0; i < Calls; i++)
            {
                await client.SendTextAsync($$"""{"type":"call","id":"c{{i}}","command":"greet","args":"{{i}}"}""");
            }
        });

        var ended = new HashSet<string>();
        while (ended.Count < Calls)
        {
            var frame = await ReceiveAsync(client);
            var id = (string)frame["id"]!;
            if ((string?)frame["type"] == "reply")
            {
                Assert.Equal("hi " + id[1..], (string?)frame["text"]);
                Assert.DoesNotContain(id, ended);
            }
            else
            {
                Assert.Equal("result", (string?)frame["type"]);
                Assert.True(ended.Add(id), $"{id} ended twice");
            }
        }

        await sending;
    }

    [Fact]
    public async Task Group_messages_and_broadcasts_arrive_as_events_with_the_group_and_the_sender()
    {
        using var listener = await ConnectWelcomedAsync();
        using var speaker = await ConnectAsync();
        var speakerSession = (string?)(await ReceiveAsync(speaker))["session"];
        using var plain = await _gateway.ConnectAsync();
        await CallAsync(listener, "join", "room");
        Assert.Equal("joined", await plain.AskAsync("join room"));

        await CallAsync(speaker, "say", "hello room");
        var groupEvent = await ReceiveAsync(listener);
        Assert.Equal(("event", "group", "room", "hello room"), ((string?)groupEvent["type"], (string?)groupEvent["event"], (string?)groupEvent["group"], (string?)groupEvent["text"]));
        Assert.Equal(speakerSession, (string?)groupEvent["from"]!["session"]);
        Assert.Equal("anonymous", (string?)groupEvent["from"]!["user"]);
        Assert.Equal(_gateway.Gateway.Bus.NodeId, (string?)groupEvent["from"]!["node"]);

        // A plain-text member of the same group gets the text, as it always did.
        Assert.Equal("hello room", await plain.ReceiveTextAsync());

        await CallAsync(speaker, "shout", "hello all");
        var broadcast = await ReceiveAsync(listener);
        Assert.Equal(("event", "broadcast", "hello all"), ((string?)broadcast["type"], (string?)broadcast["event"], (string?)broadcast["text"]));
        Assert.Null(broadcast["group"]);
        Assert.Equal("hello all", await plain.ReceiveTextAsync());
    }

    [Theory]
    [InlineData(null, "auth_required")]
    [InlineData("wrong-key", "auth_refused")]
    public async Task A_protocol_client_with_missing_or_refused_credentials_is_told_in_band_and_closed_with_4401(string? key, string code)
    {
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Authentication.Methods = ["apikey"];
            o.Authentication.ApiKeys = [new() { Name = "app", Key = "right-key-0123456789abcdef", Roles = [] }];
        });
        using var client = new ClientWebSocket();
        client.Options.AddSubProtocol(CallProtocol.Name);
        using var timeout = new CancellationTokenSource(Eventually.Patience);
        await client.ConnectAsync(gateway.WebSocketUri(key is null ? "/" : "/?access_token=" + key), timeout.Token);

        var error = await ReceiveAsync(client);
        Assert.Equal(("error", code), ((string?)error["type"], (string?)error["code"]));
        Assert.Null(error["id"]);
        var (status, _) = await client.ReceiveCloseAsync();
        Assert.Equal(4401, (int?)status);

        // A client that does not speak the protocol gets the plain 401 it always did.
        using var plain = new ClientWebSocket();
        plain.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => plain.ConnectAsync(gateway.WebSocketUri("/"), timeout.Token));
        Assert.Equal(HttpStatusCode.Unauthorized, plain.HttpStatusCode);
    }

    [Fact]
    public async Task A_protocol_client_whose_good_credentials_are_not_allowed_here_is_told_in_band_and_closed_with_4403()
    {
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Authentication.Methods = ["apikey"];
            o.Authentication.RequiredRoles = ["member"];
            o.Authentication.ApiKeys = [new() { Name = "visitor", Key = "visitor-key-0123456789abcdef", Roles = ["guest"] }];
        });
        using var client = new ClientWebSocket();
        client.Options.AddSubProtocol(CallProtocol.Name);
        using var timeout = new CancellationTokenSource(Eventually.Patience);
        await client.ConnectAsync(gateway.WebSocketUri("/?access_token=visitor-key-0123456789abcdef"), timeout.Token);

        var error = await ReceiveAsync(client);
        Assert.Equal(("error", CallErrors.AuthForbidden), ((string?)error["type"], (string?)error["code"]));
        Assert.Equal(4403, (int?)(await client.ReceiveCloseAsync()).Status);
    }

    [Theory]
    [InlineData("""{"type":"call","id":1}""")]
    [InlineData("""{"type":"call","id":1.5,"command":"x"}""")]
    [InlineData("""{"type":"result"}""")]
    [InlineData("""{"type":"error","id":1,"code":"oops","message":"m"}""")]
    [InlineData("""{"type":"event","event":"group","text":"no group"}""")]
    [InlineData("""{"type":"reply","id":1}""")]
    [InlineData("""{"type":"event","event":"group","group":"g","offset":3,"text":"an offset without its epoch"}""")]
    [InlineData("""{"type":"event","event":"group","group":"g","offset":0,"epoch":"e","text":"offsets start at 1"}""")]
    [InlineData("""{"id":1}""")]
    public void The_schema_refuses_frames_the_protocol_does_not_allow(string frame) =>
        Assert.False(Schema.Evaluate(JsonNode.Parse(frame)).IsValid, frame);

    private Task<ClientWebSocket> ConnectAsync() => _gateway.ConnectAsync("/", o => o.AddSubProtocol(CallProtocol.Name));

    private async Task<ClientWebSocket> ConnectWelcomedAsync()
    {
        var client = await ConnectAsync();
        Assert.Equal("welcome", (string?)(await ReceiveAsync(client))["type"]);
        return client;
    }

    /// <summary>Calls and reads its frames up to its final one, skipping the events that arrive meanwhile.</summary>
    private static async Task CallAsync(ClientWebSocket client, string command, string args)
    {
        var id = Guid.NewGuid().ToString("N");
        await SendAsync(client, new JsonObject { ["type"] = "call", ["id"] = id, ["command"] = command, ["args"] = args });
        Assert.Equal("result", (string?)(await ReceiveCallAsync(client, $"\"{id}\"", skipEvents: true))[^1]["type"]);
    }

    /// <summary>The frames of the call <paramref name="id"/> (raw JSON), up to its final one.</summary>
    private static async Task<List<JsonNode>> ReceiveCallAsync(ClientWebSocket client, string id, bool skipEvents = false)
    {
        var frames = new List<JsonNode>();
        while (true)
        {
            var frame = await ReceiveAsync(client);
            if (skipEvents && (string?)frame["type"] == "event")
            {
                continue;
            }

            Assert.Equal(id, frame["id"]?.ToJsonString());
            frames.Add(frame);
            if ((string?)frame["type"] is "result" or "error")
            {
                return frames;
            }
        }
    }

    private static async Task SendAsync(ClientWebSocket client, JsonObject frame)
    {
        var text = frame.ToJsonString();
        AssertValid(text);
        await client.SendTextAsync(text);
    }

    private static async Task<JsonNode> ReceiveAsync(ClientWebSocket client)
    {
        var text = await client.ReceiveTextAsync();
        AssertValid(text);
        return JsonNode.Parse(text)!;
    }

    private static void AssertValid(string frame)
    {
        var result = Schema.Evaluate(JsonNode.Parse(frame), new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, $"not a wsgateway.v1 frame: {frame}\n{string.Join("\n", result.Details.Where(d => d.HasErrors).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")))}");
    }
}
