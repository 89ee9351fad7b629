using System.Net.WebSockets;
using System.Text.Json;
using WsGateway.Commands;
using WsGateway.Contracts;

namespace WsGateway.IntegrationTests.Commands;

public sealed class CommandRouteTests : IAsyncLifetime
{
    private static readonly CommandOrigin TestOrigin = new(CommandOriginKind.Plugin, "TestCommands", "1.0.0");
    private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        // No command here may time out by being slow on a busy machine; the tests about the timeout shorten it.
        _gateway = await TestGateway.StartAsync(o => o.Commands.TimeoutSeconds = Eventually.Patience.TotalSeconds);
        _gateway.Gateway.Registry.SetSource("test", [
            Command("greet", ctx => ctx.ReplyAsync($"hi {ctx.Arguments}")),
            Command("boom", _ => throw new InvalidOperationException("kaboom")),
            Command("hang", async _ => await Task.Delay(Timeout.Infinite)),
            // Replies once the gateway has received the two requests sent after it, which wait in the queue behind it.
            Command("slow", async ctx =>
            {
                Assert.True(await Eventually.TrueAsync(async () => await _gateway.MetricAsync("wsgateway_messages_received_total") >= 3, Eventually.Patience));
                await ctx.ReplyAsync("slow done");
            }),
            Command("hold", async ctx =>
            {
                _holding.TrySetResult();
                await _release.Task.WaitAsync(ctx.CancellationToken);
                await ctx.ReplyAsync("released");
            }),
            Command("shout", ctx => ctx.BroadcastAsync(ctx.Arguments)),
            Command("leave", ctx => ctx.CloseAsync(1000, "see you")),
            Command("remember", ctx => { ctx.Session.Items["value"] = ctx.Arguments; return ctx.ReplyAsync("ok"); }),
            Command("recall", ctx => ctx.ReplyAsync(ctx.Session.Items.TryGetValue("value", out var v) ? $"{v}" : "nothing")),
            Command("twice", async ctx => { await ctx.ReplyAsync("one"); await ctx.ReplyAsync("two"); }),
        ]);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static CommandDescriptor Command(string name, Func<ICommandContext, ValueTask> run) =>
        new(name, $"test command {name}", TestOrigin, run);

    /// <summary>Reloads Commands:TimeoutSeconds as an operator would: each command gets the timeout in force when it starts.</summary>
    private void SetCommandTimeout(TimeSpan timeout)
    {
        var current = _gateway.Gateway.Options.Current;
        Assert.Empty(_gateway.Gateway.Options.Reload(current with { Commands = current.Commands with { TimeoutSeconds = timeout.TotalSeconds } }));
    }

    [Fact]
    public async Task Plain_text_runs_the_named_command_with_the_rest_as_arguments()
    {
        using var client = await _gateway.ConnectAsync();
        Assert.Equal("hi there, you", await client.AskAsync("greet there, you"));
        Assert.Equal("hi spaced", await client.AskAsync("  GREET   spaced"));
    }

    [Fact]
    public async Task Command_names_are_case_insensitive()
    {
        using var client = await _gateway.ConnectAsync();
        Assert.Equal("hi x", await client.AskAsync("GrEeT x"));
    }

    [Fact]
    public async Task Unknown_command_gets_an_error_that_mentions_help_and_the_connection_stays()
    {
        using var client = await _gateway.ConnectAsync();
        var reply = await client.AskAsync("frobnicate now");
        Assert.StartsWith("error: ", reply);
        Assert.Contains("frobnicate", reply);
        Assert.Contains("help", reply);
        Assert.Equal("hi again", await client.AskAsync("greet again"));
    }

    [Fact]
    public async Task Unknown_command_error_repeats_at_most_64_characters_of_the_name()
    {
        using var client = await _gateway.ConnectAsync();
        var reply = await client.AskAsync(new string('x', 100_000));
        Assert.Equal($"error: unknown command \"{new string('x', 64)}…\"; send \"help\" to list commands", reply);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \t  ")]
    public async Task Empty_or_blank_message_gets_the_empty_command_error(string message)
    {
        using var client = await _gateway.ConnectAsync();
        Assert.Equal("error: empty command; send \"help\" to list commands", await client.AskAsync(message));
        Assert.Equal("hi Ada", await client.AskAsync("greet Ada"));
    }

    [Fact]
    public async Task Help_lists_every_command_with_description_and_origin()
    {
        using var client = await _gateway.ConnectAsync();
        var help = await client.AskAsync("help");
        Assert.Contains("help", help);
        Assert.Contains("built-in", help);
        Assert.Contains("greet", help);
        Assert.Contains("test command greet", help);
        Assert.Contains("plugin TestCommands 1.0.0", help);
    }

    [Fact]
    public async Task Help_json_is_machine_readable()
    {
        using var client = await _gateway.ConnectAsync();
        using var json = JsonDocument.Parse(await client.AskAsync("help --json"));
        var names = json.RootElement.GetProperty("commands").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("help", names);
        Assert.Contains("greet", names);
    }

    [Fact]
    public async Task Json_envelope_is_answered_with_an_envelope_carrying_the_same_id()
    {
        using var client = await _gateway.ConnectAsync();
        using var reply = JsonDocument.Parse(await client.AskAsync("""{"id":"7","command":"greet","args":"json"}"""));
        Assert.Equal("7", reply.RootElement.GetProperty("id").GetString());
        Assert.True(reply.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("hi json", reply.RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Json_envelope_errors_are_envelopes_too()
    {
        using var client = await _gateway.ConnectAsync();
        using var unknown = JsonDocument.Parse(await client.AskAsync("""{"id":42,"command":"nope"}"""));
        Assert.Equal(42, unknown.RootElement.GetProperty("id").GetInt32());
        Assert.False(unknown.RootElement.GetProperty("ok").GetBoolean());
        Assert.Contains("help", unknown.RootElement.GetProperty("error").GetString());

        using var broken = JsonDocument.Parse(await client.AskAsync("""{"id":"8","command":"""));
        Assert.False(broken.RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Envelope_id_comes_back_as_the_same_json_value_and_not_at_all_when_there_was_none()
    {
        using var client = await _gateway.ConnectAsync();

        using var number = JsonDocument.Parse(await client.AskAsync("""{"id":7,"command":"greet","args":"n"}"""));
        Assert.Equal(JsonValueKind.Number, number.RootElement.GetProperty("id").ValueKind);
        Assert.Equal(7, number.RootElement.GetProperty("id").GetInt32());

        using var text = JsonDocument.Parse(await client.AskAsync("""{"id":"7","command":"greet","args":"s"}"""));
        Assert.Equal("7", text.RootElement.GetProperty("id").GetString());

        using var none = JsonDocument.Parse(await client.AskAsync("""{"command":"greet","args":"x"}"""));
        Assert.False(none.RootElement.TryGetProperty("id", out _));
        Assert.Equal("hi x", none.RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Envelope_error_text_escapes_quotes_plainly()
    {
        using var client = await _gateway.ConnectAsync();
        var raw = await client.AskAsync("""{"id":1,"command":"nope"}""");
        Assert.Contains("""unknown command \"nope\"; send \"help\" to list commands""", raw);
        Assert.DoesNotContain("\\u0022", raw);
    }

    [Fact]
    public async Task Throwing_command_gets_an_error_reply_is_logged_and_the_connection_stays()
    {
        using var client = await _gateway.ConnectAsync();
        var reply = await client.AskAsync("boom");
        Assert.StartsWith("error: ", reply);
        Assert.Contains("kaboom", reply);
        Assert.Contains(_gateway.Logs.Messages(), m => m.Contains("boom") && m.Contains("kaboom"));
        Assert.Equal("hi after", await client.AskAsync("greet after"));
    }

    [Fact]
    public async Task Hanging_command_times_out_with_an_error_reply_and_the_connection_stays()
    {
        using var client = await _gateway.ConnectAsync();
        // "hang" never ends, so no timeout is too short for it; the command after it gets all the time it needs again.
        SetCommandTimeout(TimeSpan.FromSeconds(1));
        var reply = await client.AskAsync("hang");
        Assert.StartsWith("error: ", reply);
        Assert.Contains("timed out", reply);
        SetCommandTimeout(Eventually.Patience);
        Assert.Equal("hi after", await client.AskAsync("greet after"));
    }

    [Fact]
    public async Task Replies_come_back_in_request_order()
    {
        using var client = await _gateway.ConnectAsync();
        await client.SendTextAsync("slow");
        await client.SendTextAsync("greet fast");
        await client.SendTextAsync("twice");
        Assert.Equal("slow done", await client.ReceiveTextAsync());
        Assert.Equal("hi fast", await client.ReceiveTextAsync());
        Assert.Equal("one", await client.ReceiveTextAsync());
        Assert.Equal("two", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task Connections_run_commands_concurrently()
    {
        using var busy = await _gateway.ConnectAsync();
        using var other = await _gateway.ConnectAsync();
        await busy.SendTextAsync("hold");
        await _holding.Task.WaitAsync(Eventually.Patience);
        // "hold" runs until the test releases it, so this reply comes while it runs, however long either takes.
        Assert.Equal("hi meanwhile", await other.AskAsync("greet meanwhile"));
        _release.SetResult();
        Assert.Equal("released", await busy.ReceiveTextAsync());
    }

    [Fact]
    public async Task Session_items_live_as_long_as_the_connection()
    {
        using var client = await _gateway.ConnectAsync();
        Assert.Equal("ok", await client.AskAsync("remember 42"));
        Assert.Equal("42", await client.AskAsync("recall"));
        using var other = await _gateway.ConnectAsync();
        Assert.Equal("nothing", await other.AskAsync("recall"));
    }

    [Fact]
    public async Task Broadcast_reaches_every_session_on_the_command_route()
    {
        using var first = await _gateway.ConnectAsync();
        using var second = await _gateway.ConnectAsync("/websocket/server.php");
        await first.SendTextAsync("shout everyone listen");
        Assert.Equal("everyone listen", await first.ReceiveTextAsync());
        Assert.Equal("everyone listen", await second.ReceiveTextAsync());
    }

    [Fact]
    public async Task Command_that_closes_the_connection_says_so_in_the_log()
    {
        using var client = await _gateway.ConnectAsync();
        await client.SendTextAsync("leave");
        await client.ReceiveCloseAsync();
        Assert.Contains(_gateway.Logs.Messages(), m => m.StartsWith("Closing ", StringComparison.Ordinal) && m.EndsWith(" with 1000: \"see you\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Command_can_close_the_connection_with_a_code()
    {
        using var client = await _gateway.ConnectAsync();
        await client.SendTextAsync("leave");
        var (status, description) = await client.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        Assert.Equal("see you", description);
    }

    [Fact]
    public async Task Binary_message_on_the_command_route_closes_with_1003_by_default()
    {
        using var client = await _gateway.ConnectAsync();
        await client.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        var (status, _) = await client.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, status);
    }

    [Fact]
    public async Task Binary_command_text_is_run_when_allowed()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Commands.AllowBinary = true);
        using var client = await gateway.ConnectAsync();
        await client.SendAsync("help"u8.ToArray(), WebSocketMessageType.Binary, true, CancellationToken.None);
        Assert.Contains("help", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task Peer_that_stops_reading_is_dropped_at_the_send_buffer_limit_without_hurting_others()
    {
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Limits.SendBufferBytes = 256 * 1024;
            // The flood takes as long as the machine needs; only the send buffer may end it.
            o.Commands.TimeoutSeconds = Eventually.Patience.TotalSeconds;
        });
        var chunk = new string('z', 64 * 1024);
        gateway.Gateway.Registry.SetSource("test", [Command("flood", async ctx =>
        {
            // The reply to the caller paces the loop by the caller's own reading, so only the sleeper falls behind.
            for (int i = 0; i < 400 && gateway.Gateway.ConnectionCount == 2; i++)
            {
                await ctx.BroadcastAsync(chunk);
                await ctx.ReplyAsync("tick");
            }

            await ctx.ReplyAsync("flooded");
        })]);

        using var sleeper = await gateway.ConnectAsync();   // never reads
        using var reader = await gateway.ConnectAsync();
        var readAll = Task.Run(async () =>
        {
            while (true)
            {
                if ((await reader.ReceiveTextAsync(Eventually.Patience)) == "flooded")
                {
                    return;
                }
            }
        });
        await reader.SendTextAsync("flood");

        Assert.True(await Eventually.TrueAsync(
            () => gateway.Logs.Messages().Any(m => m.Contains("Send buffer")), Eventually.Patience));
        await readAll;
        Assert.Equal(WebSocketState.Open, reader.State);
        Assert.True(await Eventually.TrueAsync(() => gateway.Gateway.ConnectionCount == 1, Eventually.Patience));
    }
}
