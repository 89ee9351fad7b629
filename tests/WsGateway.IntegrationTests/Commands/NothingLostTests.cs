using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using WsGateway.Commands;
using WsGateway.Contracts;

namespace WsGateway.IntegrationTests.Commands;

/// <summary>Every accepted request is answered, once, with intact replies: when the client closes, on shutdown, after a timeout.</summary>
public sealed class NothingLostTests
{
    private static readonly CommandOrigin TestOrigin = new(CommandOriginKind.Plugin, "NothingLostTests", "1.0.0");

    [Fact]
    public async Task Replies_to_requests_sent_before_the_clients_close_frame_go_out_before_the_gateways()
    {
        // "slow" runs until the close frame is in, and the close handshake waits for all of them however long they take.
        await using var gateway = await StartAsync(o => o.Limits.CloseTimeoutSeconds = Eventually.Patience.TotalSeconds);
        using var client = await gateway.ConnectAsync();

        await client.SendTextAsync("slow a");
        await client.SendTextAsync("echo hello");
        await client.SendTextAsync("slow b");
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);

        Assert.Equal("slow a", await client.ReceiveTextAsync());
        Assert.Equal("hello", await client.ReceiveTextAsync());
        Assert.Equal("slow b", await client.ReceiveTextAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, (await client.ReceiveCloseAsync()).Status);
    }

    [Fact]
    public async Task A_command_still_running_when_the_close_timeout_ends_is_answered_with_an_error_before_the_close()
    {
        await using var gateway = await StartAsync(o => o.Limits.CloseTimeoutSeconds = 1);
        using var client = await gateway.ConnectAsync();

        await client.SendTextAsync("echo first");
        await client.SendTextAsync("hang");
        await client.SendTextAsync("echo never");
        // "echo first" is done before "hang" starts; from the close on, only "hang", which never ends, races the timeout.
        Assert.True(await Eventually.TrueAsync(() => gateway.Logs.Messages().Any(m => m.Contains("hang started")), Eventually.Patience));
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);

        Assert.Equal("first", await client.ReceiveTextAsync());
        Assert.Equal("error: command \"hang\" was cut off: the connection is closing", await client.ReceiveTextAsync());
        Assert.Equal("error: command \"echo\" was not run: the connection is closing", await client.ReceiveTextAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, (await client.ReceiveCloseAsync()).Status);
    }

    [Fact]
    public async Task Shutdown_answers_the_command_it_cuts_off_and_the_requests_queued_behind_it_before_1001()
    {
        var gateway = await StartAsync(o => o.Shutdown.DrainSeconds = 1);
        using var client = await gateway.ConnectAsync();
        using var envelope = await gateway.ConnectAsync();
        await client.SendTextAsync("hang");
        await client.SendTextAsync("echo queued");
        await envelope.SendTextAsync("""{"id":5,"command":"hang"}""");
        Assert.True(await Eventually.TrueAsync(() => gateway.Logs.Messages().Count(m => m.Contains("hang started")) == 2, Eventually.Patience));
        // "echo queued" has reached the gateway too (the receive loop queues a message right after counting it).
        Assert.True(await Eventually.TrueAsync(async () => await gateway.MetricAsync("wsgateway_messages_received_total") >= 3, Eventually.Patience));

        var stopping = gateway.DisposeAsync().AsTask();

        Assert.Equal("error: command \"hang\" was cut off: the gateway is shutting down", await client.ReceiveTextAsync());
        Assert.Equal("error: command \"echo\" was not run: the gateway is shutting down", await client.ReceiveTextAsync());
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await client.ReceiveCloseAsync()).Status);
        using (var reply = JsonDocument.Parse(await envelope.ReceiveTextAsync()))
        {
            Assert.Equal(5, reply.RootElement.GetProperty("id").GetInt32());
            Assert.False(reply.RootElement.GetProperty("ok").GetBoolean());
            Assert.Contains("cut off", reply.RootElement.GetProperty("error").GetString());
        }

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await envelope.ReceiveCloseAsync()).Status);
        await stopping;
    }

    [Fact]
    public async Task Replies_written_by_two_threads_at_the_same_moment_arrive_as_whole_distinct_envelopes()
    {
        const int Parts = 2000;
        await using var gateway = await StartAsync();
        using var client = await gateway.ConnectAsync();

        await client.SendTextAsync("""{"id":9,"command":"burst","args":"2000"}""");
        var parts = new HashSet<string>();
        for (var i = 0; i < Parts; i++)
        {
            using var reply = JsonDocument.Parse(await client.ReceiveTextAsync());
            Assert.Equal(9, reply.RootElement.GetProperty("id").GetInt32());
            Assert.True(reply.RootElement.GetProperty("ok").GetBoolean());
            Assert.True(parts.Add(reply.RootElement.GetProperty("text").GetString()!));
        }

        Assert.Equal(Enumerable.Range(0, Parts).Select(Part).ToHashSet(), parts);
        using var after = JsonDocument.Parse(await client.AskAsync("""{"id":10,"command":"echo","args":"after"}"""));
        Assert.Equal("after", after.RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_command_replying_when_its_timeout_fires_never_corrupts_an_envelope_and_nothing_of_it_follows_the_error()
    {
        await using var gateway = await StartAsync(o => o.Commands.TimeoutSeconds = 1);
        using var client = await gateway.ConnectAsync();

        // "ticker" ignores its token and replies every millisecond until replies of it were dropped after the timeout's
        // error: its replies race the error. Its first reply is queued before the command returns to the gateway, so
        // before any error, however slow the machine.
        await client.SendTextAsync("""{"id":"t","command":"ticker"}""");
        var ticks = 0;
        while (true)
        {
            using var reply = JsonDocument.Parse(await client.ReceiveTextAsync());
            Assert.Equal("t", reply.RootElement.GetProperty("id").GetString());
            if (!reply.RootElement.GetProperty("ok").GetBoolean())
            {
                Assert.Contains("timed out", reply.RootElement.GetProperty("error").GetString());
                break;
            }

            Assert.Equal("tick", reply.RootElement.GetProperty("text").GetString());
            ticks++;
        }

        Assert.True(ticks > 0);
        // The ticker went on after the error; none of it may come out after the error.
        Assert.True(await Eventually.TrueAsync(() => gateway.Logs.Messages().Any(m => m.Contains("ticker finished")), Eventually.Patience));
        Assert.True(DroppedReplies(gateway, "ticker") >= DroppedTicks);
        using var next = JsonDocument.Parse(await client.AskAsync("""{"id":"n","command":"echo","args":"next"}"""));
        Assert.Equal("n", next.RootElement.GetProperty("id").GetString());
        Assert.Equal("next", next.RootElement.GetProperty("text").GetString());
    }

    private static async Task<TestGateway> StartAsync(Action<WsGateway.Options.GatewayOptions>? configure = null)
    {
        var gateway = await TestGateway.StartAsync(o =>
        {
            o.Commands.TimeoutSeconds = 30;
            configure?.Invoke(o);
        });
        gateway.Gateway.Registry.SetSource("test", [
            Command("echo", ctx => ctx.ReplyAsync(ctx.Arguments)),
            // Replies once the gateway has the client's close frame: it is still running when the close comes in.
            Command("slow", async ctx =>
            {
                Assert.True(await Eventually.TrueAsync(
                    () => gateway.Logs.Events.Any(e => e.MessageTemplate.Text.Contains("closed by peer", StringComparison.Ordinal)), Eventually.Patience));
                await ctx.ReplyAsync($"slow {ctx.Arguments}");
            }),
            Command("hang", async ctx =>
            {
                ctx.Logger.Information("hang started");
                await Task.Delay(Timeout.Infinite, ctx.CancellationToken);
            }),
            Command("burst", ctx =>
            {
                // Two threads meet before every reply, so that their replies are written at the same moment.
                var count = int.Parse(ctx.Arguments);
                using var together = new Barrier(2);
                var replies = new Task[count];
                var threads = Enumerable.Range(0, 2).Select(first => new Thread(() =>
                {
                    for (var i = first; i < count; i += 2)
                    {
                        together.SignalAndWait();
                        replies[i] = ctx.ReplyAsync(Part(i)).AsTask();
                    }
                })).ToList();
                threads.ForEach(t => t.Start());
                threads.ForEach(t => t.Join());
                return new ValueTask(Task.WhenAll(replies));
            }),
            Command("ticker", async ctx =>
            {
                // Until the gateway has dropped replies of it, which it does only after the error; Patience is a hang guard.
                var running = Stopwatch.StartNew();
                do
                {
                    await ctx.ReplyAsync("tick");
                    await Task.Delay(1, CancellationToken.None);
                }
                while (DroppedReplies(gateway, "ticker") < DroppedTicks && running.Elapsed < Eventually.Patience);

                ctx.Logger.Information("ticker finished");
            }),
        ]);
        return gateway;
    }

    /// <summary>How many replies "ticker" sends after its timeout's error (all dropped).</summary>
    private const int DroppedTicks = 10;

    /// <summary>Replies of <paramref name="command"/> the gateway dropped because they came after its call ended.</summary>
    private static int DroppedReplies(TestGateway gateway, string command) => gateway.Logs.Events.Count(e =>
        e.MessageTemplate.Text.StartsWith("Reply from {Command} after it ended", StringComparison.Ordinal)
        && e.Properties.TryGetValue("Command", out var name) && name.ToString() == $"\"{command}\"");

    /// <summary>Long enough that two envelopes written at once would overlap.</summary>
    private static string Part(int i) => $"part {i} " + new string('x', 200);

    private static CommandDescriptor Command(string name, Func<ICommandContext, ValueTask> run) =>
        new(name, $"test command {name}", TestOrigin, run);
}
