using System.Text.Json;
using WsGateway.Contracts;

namespace WsGateway.Plugins.Tests.TestKit;

/// <summary>What the test kit records beyond what the sample plugins use.</summary>
public sealed class FakeCommandContextTests
{
    [Fact]
    public async Task Json_replies_and_events_are_serialized_as_the_gateway_does()
    {
        var run = await Command(async c =>
        {
            await c.ReplyAsync(new { Answer = 42, City = "Oslo" });
            await c.SendEventAsync("weather.changed", new { TemperatureC = -3 });
        }).RunAsync();

        Assert.Equal("{\"answer\":42,\"city\":\"Oslo\"}", run.Reply);
        Assert.Equal(42, Assert.Single(run.JsonReplies).GetProperty("answer").GetInt32());
        var sent = Assert.Single(run.Events);
        Assert.Equal("weather.changed", sent.Name);
        Assert.Equal(-3, sent.Data.GetProperty("temperatureC").GetInt32());
    }

    [Fact]
    public async Task Broadcasts_user_and_session_sends_are_recorded_in_order()
    {
        var run = await Command(async c =>
        {
            await c.BroadcastAsync("one");
            await c.SendToUserAsync("ada", "two");
            await c.SendToSessionAsync("0123456789abcdef", "three");
            await c.BroadcastAsync("four");
        }).RunAsync();

        Assert.Equal(["one", "four"], run.Broadcasts);
        Assert.Equal([new SentText("ada", "two")], run.UserSends);
        Assert.Equal([new SentText("0123456789abcdef", "three")], run.SessionSends);
        Assert.Empty(run.Replies);
    }

    [Fact]
    public async Task Reply_names_every_reply_when_there_is_not_exactly_one()
    {
        var twice = await Command(async c =>
        {
            await c.ReplyAsync("a");
            await c.ReplyAsync("b");
        }).RunAsync();
        var never = await Command(_ => ValueTask.CompletedTask).RunAsync();

        Assert.Equal("Expected one reply, got 2: [a | b]", Assert.Throws<InvalidOperationException>(() => twice.Reply).Message);
        Assert.Equal("Expected one reply, got 0: []", Assert.Throws<InvalidOperationException>(() => never.Reply).Message);
    }

    [Fact]
    public async Task Data_arguments_and_cancellation_reach_the_command()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var context = new FakeCommandContext("echo", "text", FakeSession.Authenticated("ada", "admin"))
        {
            Data = JsonDocument.Parse("{\"n\":7}").RootElement,
            CancellationToken = cancelled.Token,
        };

        await Command(c => c.ReplyAsync(
            $"{c.CommandName} {c.Arguments} {c.Data?.GetProperty("n")} {c.CancellationToken.IsCancellationRequested} {c.Session.Identity.IsInRole("admin")}"))
            .ExecuteAsync(context);

        Assert.Equal("echo text 7 True True", context.Reply);
    }

    [Fact]
    public async Task Groups_follow_the_session_across_commands_and_logs_are_rendered()
    {
        var session = new FakeSession();
        await Command(async c =>
        {
            await c.JoinGroupAsync("a");
            await c.JoinGroupAsync("b");
        }).RunAsync("", session);

        var run = await Command(async c =>
        {
            await c.LeaveGroupAsync("a");
            c.Logger.Warning("Left {Group}, still in {Count}", "a", c.Session.Groups.Count);
        }).RunAsync("", session);

        Assert.Equal(["b"], session.Groups);
        Assert.Equal(["a"], run.LeftGroups);
        Assert.Equal(["Left \"a\", still in 1"], run.LogMessages);
    }

    [Fact]
    public async Task Hook_refusal_and_sends_are_recorded()
    {
        var run = await new Hook(async c =>
        {
            await c.SendToUserAsync(c.Session.Identity.Name, "bye");
            await c.SendToGroupAsync("admins", "refused");
            await c.RefuseAsync(1008, "not today");
        }).RunOpenedAsync(FakeSession.Authenticated("ada"));

        Assert.Equal(new CloseRequest(1008, "not today"), run.Refused);
        Assert.Equal([new SentText("ada", "bye")], run.UserSends);
        Assert.Equal([new SentText("admins", "refused")], run.GroupSends);
    }

    private static Lambda Command(Func<ICommandContext, ValueTask> body) => new(body);

    private sealed class Lambda(Func<ICommandContext, ValueTask> body) : ICommand
    {
        public string Name => "lambda";

        public string Description => "Runs the test's code.";

        public ValueTask ExecuteAsync(ICommandContext context) => body(context);
    }

    private sealed class Hook(Func<ISessionHookContext, ValueTask> opened) : ISessionHook
    {
        public ValueTask OnOpenedAsync(ISessionHookContext context) => opened(context);
    }
}
