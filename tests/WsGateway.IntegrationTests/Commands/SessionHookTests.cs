using System.Collections.Concurrent;
using System.Net.WebSockets;
using WsGateway.Client;
using WsGateway.Commands;
using WsGateway.Contracts;
using WsGateway.IntegrationTests.Authentication;

namespace WsGateway.IntegrationTests.Commands;

/// <summary>
/// Session hooks with real clients: the sample Chat plugin's hook joins <c>user:NAME</c> before the welcome; hooks
/// refuse sessions, and one that throws or hangs fails its own session only, after its timeout.
/// </summary>
public sealed class SessionHookTests : IAsyncLifetime
{
    private static readonly CommandOrigin Origin = new(CommandOriginKind.Plugin, "HookTests", "1.0.0");
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartAsync(options =>
        {
            TestTokens.Configure(options, "jwt", "none");
            options.Commands.TimeoutSeconds = 2;
        });
        _gateway.Gateway.Registry.SetSource("hook-tests", [
            new CommandDescriptor("tellgroup", "tellgroup GROUP TEXT", Origin, ctx =>
            {
                var space = ctx.Arguments.IndexOf(' ', StringComparison.Ordinal);
                return ctx.SendToGroupAsync(ctx.Arguments[..space], ctx.Arguments[(space + 1)..]);
            }),
            new CommandDescriptor("ping", "ping", Origin, ctx => ctx.ReplyAsync("pong")),
        ]);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task The_sample_chat_plugins_hook_joins_user_NAME_before_the_welcome_and_a_group_message_reaches_it()
    {
        PluginFolders.Deploy(_gateway, "Chat");
        Assert.True(await Eventually.TrueAsync(() => _gateway.Gateway.Hooks.Current.Length == 1, Eventually.Patience), "the Chat plugin's hook was not loaded");

        await using var ada = await GatewayClient.ConnectAsync(_gateway.WebSocketUri("/"), new() { Token = TestTokens.Create("ada") });
        var received = new ConcurrentQueue<GatewayEvent>();
        ada.On("group", received.Enqueue);
        await using var sender = await GatewayClient.ConnectAsync(_gateway.WebSocketUri("/"));

        // No join from the client: the hook did it before the welcome that ConnectAsync waited for.
        await sender.CallAsync("tellgroup", "user:ada your order shipped");

        Assert.True(await Eventually.TrueAsync(() => !received.IsEmpty, Eventually.Patience), "the message to user:ada never arrived");
        var message = Assert.Single(received);
        Assert.Equal(("user:ada", "your order shipped"), (message.Group, message.Text));
    }

    [Fact]
    public async Task A_hook_refuses_a_session_no_command_runs_and_it_is_closed_with_the_hooks_code_without_a_welcome()
    {
        _gateway.Gateway.Hooks.SetSource("test", [new Hook(opened: ctx => ctx.Session.Identity.IsAuthenticated ? ValueTask.CompletedTask : ctx.RefuseAsync(4003, "sign in first"))]);

        using var anonymous = await _gateway.ConnectAsync("/", o => o.AddSubProtocol(CallProtocol.Name));
        await anonymous.SendTextAsync("""{"type":"call","id":1,"command":"ping"}""");
        var close = await anonymous.ReceiveCloseAsync();
        Assert.Equal(((WebSocketCloseStatus)4003, "sign in first"), (close.Status, close.Description));
        Assert.Contains(_gateway.Logs.Messages(), m => m.Contains("refused by", StringComparison.Ordinal) && m.Contains("sign in first", StringComparison.Ordinal));

        // An authenticated client is let in.
        await using var ada = await GatewayClient.ConnectAsync(_gateway.WebSocketUri("/"), new() { Token = TestTokens.Create("ada") });
        Assert.Equal("pong", (await ada.CallAsync("ping"))[0].Text);
    }

    [Fact]
    public async Task A_hook_that_throws_closes_its_session_with_1011_and_other_sessions_go_on()
    {
        _gateway.Gateway.Hooks.SetSource("test", [new Hook(opened: ctx => ctx.Session.Identity.Name == "boom" ? throw new InvalidOperationException("hook bug") : ValueTask.CompletedTask)]);

        using var failing = await _gateway.ConnectAsync($"/?access_token={TestTokens.Create("boom")}");
        Assert.Equal(WebSocketCloseStatus.InternalServerError, (await failing.ReceiveCloseAsync()).Status);
        Assert.Contains(_gateway.Logs.Messages(), m => m.Contains("threw", StringComparison.Ordinal) && m.Contains("\"test\"", StringComparison.Ordinal));

        await using var other = await GatewayClient.ConnectAsync(_gateway.WebSocketUri("/"));
        Assert.Equal("pong", (await other.CallAsync("ping"))[0].Text);
    }

    [Fact]
    public async Task A_hook_that_hangs_holds_up_no_other_session_and_its_own_is_closed_after_the_timeout()
    {
        var stuck = new TaskCompletionSource();
        _gateway.Gateway.Hooks.SetSource("test", [new Hook(opened: async ctx =>
        {
            if (ctx.Session.Identity.Name == "slow")
            {
                // Ignores its token, as a hung call into a backend would.
                await stuck.Task;
            }
        })]);

        using var slow = await _gateway.ConnectAsync($"/?access_token={TestTokens.Create("slow")}");
        await slow.SendTextAsync("ping");

        // While that hook is stuck, another session is welcomed and served.
        await using var other = await GatewayClient.ConnectAsync(_gateway.WebSocketUri("/"));
        Assert.Equal("pong", (await other.CallAsync("ping"))[0].Text);
        Assert.False(stuck.Task.IsCompleted);

        Assert.Equal(WebSocketCloseStatus.InternalServerError, (await slow.ReceiveCloseAsync()).Status);
        Assert.Contains(_gateway.Logs.Messages(), m => m.Contains("did not finish within", StringComparison.Ordinal));
        stuck.SetResult();
    }

    [Fact]
    public async Task Closing_hooks_run_with_the_session_after_it_has_gone()
    {
        var closed = new ConcurrentQueue<string>();
        _gateway.Gateway.Hooks.SetSource("test", [new Hook(closing: ctx =>
        {
            closed.Enqueue($"{ctx.Session.Id} {ctx.Session.Identity.Name}");
            return ValueTask.CompletedTask;
        })]);

        string id;
        await using (var ada = await GatewayClient.ConnectAsync(_gateway.WebSocketUri("/"), new() { Token = TestTokens.Create("ada") }))
        {
            id = ada.Welcome!.Session;
        }

        Assert.True(await Eventually.TrueAsync(() => closed.Contains($"{id} ada"), Eventually.Patience), $"closing hooks ran for: {string.Join(", ", closed)}");
    }

    [Fact]
    public async Task An_on_open_script_greets_and_joins_each_session_keeps_its_last_good_version_and_can_refuse()
    {
        var script = Path.Combine(_gateway.Root, "scripts", "on-open.csx");
        await File.WriteAllTextAsync(script, """
            await JoinGroupAsync("lobby");
            $"welcome, {Session.Identity.Name}"
            """);
        Assert.True(await Eventually.TrueAsync(() => _gateway.Gateway.Hooks.Current.Length == 1, Eventually.Patience), "on-open.csx never became a hook");

        using (var plain = await _gateway.ConnectAsync())
        {
            // The script's last expression goes to the session; it is in the lobby without asking, and on-open is no command.
            Assert.Equal("welcome, anonymous", await plain.ReceiveTextAsync());
            await using var sender = await GatewayClient.ConnectAsync(_gateway.WebSocketUri("/"));
            await sender.CallAsync("tellgroup", "lobby hello lobby");
            Assert.Equal("hello lobby", await plain.ReceiveTextAsync());
            Assert.StartsWith("error: unknown command \"on-open\"", await plain.AskAsync("on-open"));
        }

        // A save that does not compile keeps the previous version, and the log gives file, line and column.
        await File.WriteAllTextAsync(script, "await JoinGroupAsync(\"lobby\")\nthis is not C#");
        Assert.True(await Eventually.TrueAsync(() => _gateway.Logs.Messages().Any(m => m.Contains("\"on-open.csx\"(2,", StringComparison.Ordinal)), Eventually.Patience));
        using (var plain = await _gateway.ConnectAsync())
        {
            Assert.Equal("welcome, anonymous", await plain.ReceiveTextAsync());
        }

        await File.WriteAllTextAsync(script, "await CloseAsync(4503, \"closed for maintenance\");");
        Assert.True(await Eventually.TrueAsync(
            async () =>
            {
                // The version before greets first: then this is not the refusal yet.
                using var client = await _gateway.ConnectAsync();
                var first = await client.ReceiveAsync(new byte[1024], CancellationToken.None);
                return first.MessageType == WebSocketMessageType.Close
                    && (first.CloseStatus, first.CloseStatusDescription) == ((WebSocketCloseStatus)4503, "closed for maintenance");
            },
            Eventually.Patience), "the edited on-open.csx did not refuse sessions");
    }

    private sealed class Hook(Func<ISessionHookContext, ValueTask>? opened = null, Func<ISessionHookContext, ValueTask>? closing = null) : ISessionHook
    {
        public ValueTask OnOpenedAsync(ISessionHookContext context) => opened?.Invoke(context) ?? ValueTask.CompletedTask;

        public ValueTask OnClosedAsync(ISessionHookContext context) => closing?.Invoke(context) ?? ValueTask.CompletedTask;
    }
}
