using Serilog.Core;
using WsGateway.Broadcasting;
using WsGateway.Commands;
using WsGateway.Connections;
using WsGateway.Contracts;
using WsGateway.Options;
using WsGateway.Protocol;
using WsGateway.Tests.InMemory;
using WsGateway.Tests.Scripts;

namespace WsGateway.Tests.Commands;

/// <summary>
/// A command session as a client sees it: the real <see cref="CommandRoute"/> and <see cref="CommandSession"/> on a
/// real connection over the in-memory transport, running test commands from a <see cref="CommandRegistry"/>.
/// </summary>
public sealed class CommandSessionTests
{
    private readonly List<ICommand> _commands =
    [
        new DelegateCommand("echo", context => context.ReplyAsync(context.Arguments)),
        new DelegateCommand("later", async context =>
        {
            await Task.Yield();
            await context.ReplyAsync(context.Arguments);
        }),
    ];

    [Fact]
    public async Task Replies_come_back_in_request_order_whether_commands_finish_at_once_or_later()
    {
        await using var harness = Start();

        await harness.Client.SendAsync(Requests(Enumerable.Range(0, 40).Select(i => (i % 3 == 0 ? "later " : "echo ") + i)));

        for (int i = 0; i < 40; i++)
        {
            Assert.Equal($"Text \"{i}\"", (await harness.Client.ReadFrameExpectedAsync()).ToString());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_command_that_throws_fails_only_that_command(bool afterAwaiting)
    {
        _commands.Add(new DelegateCommand("fail", async _ =>
        {
            if (afterAwaiting)
            {
                await Task.Yield();
            }

            throw new InvalidOperationException("boom");
        }));
        await using var harness = Start();

        await harness.Client.SendAsync(Requests(["echo a", "fail", "echo b"]));

        Assert.Equal("a", (await harness.Client.ReadFrameExpectedAsync()).Text);
        Assert.Equal("error: command \"fail\" failed: InvalidOperationException: boom", (await harness.Client.ReadFrameExpectedAsync()).Text);
        Assert.Equal("b", (await harness.Client.ReadFrameExpectedAsync()).Text);
    }

    [Fact]
    public async Task A_command_past_its_timeout_is_answered_with_an_error_and_the_next_one_runs()
    {
        _commands.Add(new DelegateCommand("hang", async context => await Task.Delay(Timeout.Infinite, context.CancellationToken)));
        await using var harness = Start(o => o.Commands.TimeoutSeconds = 0.05);

        await harness.Client.SendAsync(Requests(["hang", "echo after"]));

        Assert.Equal("error: command \"hang\" timed out after 0.05 s", (await harness.Client.ReadFrameExpectedAsync()).Text);
        Assert.Equal("after", (await harness.Client.ReadFrameExpectedAsync()).Text);
    }

    [Fact]
    public async Task A_command_that_ignores_its_token_still_fails_on_time_and_its_late_reply_is_dropped()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _commands.Add(new DelegateCommand("stubborn", async context =>
        {
            await release.Task;
            await context.ReplyAsync("too late");
        }));
        await using var harness = Start(o => o.Commands.TimeoutSeconds = 0.05);

        await harness.Client.SendTextAsync("stubborn");
        Assert.Equal("error: command \"stubborn\" timed out after 0.05 s", (await harness.Client.ReadFrameExpectedAsync()).Text);
        release.SetResult();
        Assert.True(
            await Eventually.TrueAsync(
                () => harness.Log.Events.Any(e => e.MessageTemplate.Text.StartsWith("Reply from {Command} after it ended", StringComparison.Ordinal)),
                InMemoryTransport.Patience),
            "the late reply was not dropped");
        await harness.Client.SendTextAsync("echo marker");

        Assert.Equal("marker", (await harness.Client.ReadFrameExpectedAsync()).Text);
    }

    [Fact]
    public async Task A_drain_answers_every_queued_request_before_the_close_frame()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _commands.Add(new DelegateCommand("gate", async context =>
        {
            started.SetResult();
            await release.Task;
            await context.ReplyAsync("released " + context.Arguments);
        }));
        DrainWatchingRoute? watcher = null;

        // A minute to drain: on a slow machine this test must not see the drain run out of time.
        await using var harness = Start(o => o.Limits.CloseTimeoutSeconds = 60, route => watcher = new DrainWatchingRoute(route));

        await harness.Client.SendAsync(Requests(["gate first", "echo 1", "echo 2", "echo 3"]));
        await started.Task.WaitAsync(InMemoryTransport.Patience);
        await harness.Client.SendCloseAsync(CloseStatus.NormalClosure);
        await watcher!.DrainStarted.Task.WaitAsync(InMemoryTransport.Patience);
        release.SetResult();
        var frames = await harness.Client.ReadUntilCloseAsync();
        var (after, aborted) = await harness.Client.ReadToEndAsync();
        await harness.Client.CompleteWritesAsync();
        await harness.EndedAsync();

        Assert.Equal(
            new[] { "Text \"released first\"", "Text \"1\"", "Text \"2\"", "Text \"3\"", "Close 1000 \"\"" },
            frames.Select(f => f.ToString()));
        Assert.Empty(after);
        Assert.False(aborted);
    }

    [Fact]
    public async Task A_drain_out_of_time_cuts_off_the_running_command_and_answers_each_queued_request_before_the_close()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _commands.Add(new DelegateCommand("hang", async context =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }));
        await using var harness = Start(o => o.Limits.CloseTimeoutSeconds = 0.2);

        await harness.Client.SendAsync(Requests(["hang", "echo 1", "echo 2"]));
        await started.Task.WaitAsync(InMemoryTransport.Patience);
        await harness.Client.SendCloseAsync(CloseStatus.NormalClosure);
        var frames = await harness.Client.ReadUntilCloseAsync();

        Assert.Equal(
            new[]
            {
                "error: command \"hang\" was cut off: the connection is closing",
                "error: command \"echo\" was not run: the connection is closing",
                "error: command \"echo\" was not run: the connection is closing",
            },
            frames[..^1].Select(f => f.Text));
        Assert.Equal("Close 1000 \"\"", frames[^1].ToString());
    }

    /// <summary>
    /// KNOWN DEFECT (CommandSession.RunQueueAsync has no catch of its own; a fix is under way elsewhere): this test
    /// fails until it lands. When describing a command's failure itself throws, the exception escapes RunAsync. After
    /// the command awaited, it ends the session's worker: later requests are never answered, and the peer's close gets
    /// 1011 instead of its echo. Before any await, RunQueueAsync never observes the faulted task: that request alone
    /// goes unanswered.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failure_that_cannot_be_described_still_gets_an_answer_and_the_session_goes_on(bool afterAwaiting)
    {
        _commands.Add(new DelegateCommand("explode", async _ =>
        {
            if (afterAwaiting)
            {
                await Task.Yield();
            }

            throw new UndescribableException();
        }));
        await using var harness = Start(o => o.Limits.CloseTimeoutSeconds = 60);

        await harness.Client.SendAsync(Requests(["explode", "echo after"]));
        await harness.Client.SendCloseAsync(CloseStatus.NormalClosure);
        var frames = await harness.Client.ReadUntilCloseAsync();

        string got = $"got {string.Join(", ", frames)}; errors logged: {harness.LoggedErrors()}";
        Assert.True(frames.Count == 3, $"Expected an error for explode, \"after\", then the close echoed; {got}");
        Assert.StartsWith("error: command \"explode\"", frames[0].Text);
        Assert.Equal("after", frames[1].Text);
        Assert.Equal(CloseStatus.NormalClosure, frames[2].CloseCode);
    }

    private InMemoryConnection Start(Action<GatewayOptions>? configure = null, Func<IWebSocketRoute, IWebSocketRoute>? wrap = null)
    {
        var registry = new CommandRegistry(Logger.None);
        var origin = new CommandOrigin(CommandOriginKind.Plugin, "tests");
        registry.SetSource("plugin:tests", [.. _commands.Select(c => new CommandDescriptor(c.Name, c.Description, origin, c.ExecuteAsync))]);
        return InMemoryConnection.Start(
            (options, metrics) =>
            {
                var route = new CommandRoute(registry, new LocalMessageBus("test-node"), options, metrics);
                return wrap is null ? route : wrap(route);
            },
            configure);
    }

    /// <summary>Text requests in one write, so the session receives them in one read.</summary>
    private static byte[] Requests(IEnumerable<string> lines) => [.. lines.SelectMany(line => InMemoryTransport.ClientText(line))];
}
