using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using WsGateway.Client;
using static Microsoft.Playwright.Assertions;

namespace WsGateway.IntegrationTests.Console;

/// <summary>The web console in a real browser against a real gateway.</summary>
public sealed class ConsolePageTests : IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Connects = new() { Timeout = 15_000 };
    private static readonly LocatorAssertionsToHaveAttributeOptions Reconnects = new() { Timeout = 30_000 };

    private static readonly TimeSpan RebindDeadline = Eventually.Patience;

    private TestGateway? _gateway;
    private HeadlessChromium _chromium = null!;

    static ConsolePageTests() => SetDefaultExpectTimeout(10_000);

    private IPage Page => _chromium.Page;

    private TestGateway Gateway => _gateway ?? throw new InvalidOperationException("The gateway is stopped.");

    public async Task InitializeAsync()
    {
        _gateway = await StartGatewayAsync(port: 0);
        _chromium = await HeadlessChromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await StopGatewayAsync();
    }

    [Fact]
    public async Task Console_connects_runs_typed_and_clicked_commands_and_shows_errors()
    {
        await OpenConsoleAsync();
        await Expect(Page.Locator("#status")).ToContainTextAsync("Connected");

        // Every line is a call: its replies sit under it, and it ends.
        await SendAsync("hello");
        await Expect(Call("hello")).ToHaveAttributeAsync("data-id", "1");
        await Expect(Reply("hello", "received", "Hello from the gateway!")).ToBeVisibleAsync();
        await Expect(Call("hello")).ToHaveAttributeAsync("data-state", "done");

        // The hints come from `help --json`: a click on a command without arguments sends it.
        var thanks = Page.Locator("#commands button[data-command='thanks']");
        await Expect(thanks).ToHaveAttributeAsync("title", new Regex("You are welcome"));
        await thanks.ClickAsync();
        await Expect(Reply("thanks", "received", "You're welcome!")).ToBeVisibleAsync();

        // One that takes arguments is put into the input instead, ready for them.
        await Page.Locator("#commands button[data-command='name']").ClickAsync();
        await Expect(Page.Locator("#input")).ToHaveValueAsync("name ");
        await Expect(Page.Locator("#input")).ToBeFocusedAsync();
        await Page.Keyboard.TypeAsync("Ada");
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Reply("name Ada", "received", "Nice to meet you, Ada.")).ToBeVisibleAsync();

        await Expect(Page.Locator("#commands button[data-command='weather']")).ToHaveAttributeAsync("data-broken", "true");

        // An error ends its call, under it, with the gateway's code.
        await SendAsync("foo");
        var unknown = Reply("foo", "error", "unknown command \"foo\"; send \"help\" to list commands");
        await Expect(unknown).ToBeVisibleAsync();
        await Expect(Call("foo").Locator(".reply[data-kind='error']")).ToHaveAttributeAsync("data-code", "unknown_command");
        await Expect(Call("foo")).ToHaveAttributeAsync("data-state", "failed");

        // A call that ends without a reply says so, quietly.
        await SendAsync("quiet");
        await Expect(Call("quiet")).ToHaveAttributeAsync("data-state", "done");
        await Expect(Call("quiet").Locator(".entry-end")).ToBeVisibleAsync();
        await Expect(Call("quiet").Locator(".reply")).ToHaveCountAsync(0);

        // Two calls in flight: each one's reply lands under its own line.
        await SendAsync("echo first");
        await SendAsync("echo second");
        await Expect(Reply("echo first", "received", "first")).ToBeVisibleAsync();
        await Expect(Reply("echo second", "received", "second")).ToBeVisibleAsync();
        await Expect(Call("echo first").Locator(".reply")).ToHaveCountAsync(1);
        await Expect(Call("echo second").Locator(".reply")).ToHaveCountAsync(1);

        // History: Up brings back what was sent, newest first.
        await Page.Locator("#input").FocusAsync();
        await Page.Keyboard.PressAsync("ArrowUp");
        await Expect(Page.Locator("#input")).ToHaveValueAsync("echo second");
        await Page.Keyboard.PressAsync("ArrowUp");
        await Expect(Page.Locator("#input")).ToHaveValueAsync("echo first");
        await Page.Keyboard.PressAsync("Escape");

        await SaveScreenshotAsync("console.png");

        await Page.Locator("#input").PressAsync("Control+l");
        await Expect(Page.Locator("#log > li")).ToHaveCountAsync(0);
        await Expect(Page.Locator("#log-empty")).ToBeVisibleAsync();
        Assert.Empty(_chromium.Problems);
    }

    [Fact]
    public async Task Group_messages_broadcasts_and_named_events_show_as_events_with_their_group_and_sender()
    {
        await OpenConsoleAsync();
        await SendAsync("join " + ConsoleTestCommands.Lobby);
        await Expect(Call("join " + ConsoleTestCommands.Lobby)).ToHaveAttributeAsync("data-state", "done");

        // From another client: the page hears it only as a member of the group.
        await using (var speaker = await GatewayClient.ConnectAsync(Gateway.WebSocketUri("/")))
        {
            await speaker.CallAsync("say", "hello from .NET");
        }

        await Expect(Entry("event", $"{ConsoleTestCommands.Lobby} · anonymous: hello from .NET")).ToBeVisibleAsync();
        await Expect(Page.Locator("#log > .entry[data-kind='event']").First).ToHaveAttributeAsync("data-group", ConsoleTestCommands.Lobby);

        await SendAsync("shout hello all");
        await Expect(Entry("event", "broadcast · anonymous: hello all")).ToBeVisibleAsync();
        await SendAsync("notify");
        await Expect(Entry("event", "order.shipped: {\"order\":123}")).ToBeVisibleAsync();
        // Events are not replies: the calls that caused them ended with none.
        await Expect(Page.Locator("#log .reply")).ToHaveCountAsync(0);
        Assert.Empty(_chromium.Problems);
    }

    [Fact]
    public async Task Received_text_is_shown_as_text_never_as_html()
    {
        const string markup = "<img src=x data-injected=1><b>not bold</b>";
        await OpenConsoleAsync();

        await SendAsync("echo " + markup);

        await Expect(Reply("echo " + markup, "received", markup)).ToBeVisibleAsync();
        await Expect(Page.Locator("#log img, #log b, [data-injected]")).ToHaveCountAsync(0);
        Assert.Empty(_chromium.Problems);
    }

    [Fact]
    public async Task Console_reconnects_when_the_gateway_restarts_on_the_same_port()
    {
        await OpenConsoleAsync();
        var port = Gateway.Port;

        await StopGatewayAsync();
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "reconnecting");
        await Expect(Page.Locator("#status")).ToContainTextAsync(new Regex(@"Reconnecting in \d+ s"));
        await Expect(Page.Locator("#send")).ToBeDisabledAsync();
        await Expect(Page.Locator("#log .entry[data-kind='system']").Filter(new() { HasTextRegex = new Regex("1001 going away") })).ToBeVisibleAsync();

        await StartGatewayAgainAsync(port);
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "connected", Reconnects);
        await SendAsync("hello");
        await Expect(Reply("hello", "received", "Hello from the gateway!")).ToBeVisibleAsync();

        Assert.DoesNotContain(_chromium.Problems, p => !IsOutage(p));
    }

    [Fact]
    public async Task Retry_now_connects_at_once_instead_of_waiting_out_the_back_off()
    {
        // The page's timers stand still from here: only the button can start the next attempt.
        await Page.Clock.InstallAsync();
        await OpenConsoleAsync();
        await Page.Clock.PauseAtAsync(DateTimeOffset.FromUnixTimeMilliseconds(await Page.EvaluateAsync<long>("Date.now() + 1000")).UtcDateTime);
        var port = Gateway.Port;

        await StopGatewayAsync();
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "reconnecting");
        await Expect(Page.Locator("#reconnect")).ToHaveTextAsync("Retry now");
        await StartGatewayAgainAsync(port);

        await Page.Locator("#reconnect").ClickAsync();
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "connected", Connects);
        await Expect(Page.Locator("#reconnect")).ToBeHiddenAsync();
        Assert.Empty(_chromium.Problems);
    }

    [Fact]
    public async Task Bye_closes_the_session_and_the_console_waits_until_asked_to_connect()
    {
        await OpenConsoleAsync();

        await SendAsync("bye");
        // The call ends normally, with its reply, before the gateway closes the session.
        await Expect(Reply("bye", "received", "Goodbye!")).ToBeVisibleAsync();
        await Expect(Call("bye")).ToHaveAttributeAsync("data-state", "done");
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "closed");
        await Expect(Page.Locator("#status")).ToContainTextAsync("1000 bye");
        await Expect(Page.Locator("#send")).ToBeDisabledAsync();
        await Expect(Page.Locator("#reconnect")).ToHaveTextAsync("Connect");
        await Expect(Page.Locator("#log .entry[data-kind='system']").Filter(new() { HasTextString = "Press Connect" })).ToBeVisibleAsync();

        await Page.Locator("#reconnect").ClickAsync();
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "connected", Connects);
        await Expect(Page.Locator("#send")).ToBeEnabledAsync();
        await SendAsync("hello");
        await Expect(Reply("hello", "received", "Hello from the gateway!")).ToBeVisibleAsync();
        Assert.Empty(_chromium.Problems);
    }

    private async Task OpenConsoleAsync()
    {
        var response = await Page.GotoAsync(Gateway.HttpUri().ToString());
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "connected", Connects);
        // The command list arrives over the socket right after connecting.
        await Expect(Page.Locator("#commands button[data-command='hello']")).ToBeVisibleAsync();
    }

    private static async Task<TestGateway> StartGatewayAsync(int port)
    {
        var gateway = await TestGateway.StartAsync(options => options.Listen.Port = port);
        ConsoleTestCommands.Register(gateway.Gateway);
        return gateway;
    }

    /// <summary>Graceful shutdown: the page sees its connection closed with 1001.</summary>
    private async Task StopGatewayAsync()
    {
        if (_gateway is { } gateway)
        {
            _gateway = null;
            await gateway.DisposeAsync();
        }
    }

    /// <summary>Starts a new gateway on <paramref name="port"/>, retrying while the old listener still holds it.</summary>
    private async Task StartGatewayAgainAsync(int port)
    {
        var deadline = DateTime.UtcNow + RebindDeadline;
        while (true)
        {
            try
            {
                _gateway = await StartGatewayAsync(port);
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private async Task SendAsync(string line)
    {
        await Page.Locator("#input").FillAsync(line);
        await Page.Locator("#input").PressAsync("Enter");
    }

    /// <summary>
    /// A reconnect attempt that lands while the gateway is down makes Chromium log "WebSocket connection to … failed"
    /// (how many depends on how long the restart takes); that is the outage itself, not a fault of the page.
    /// </summary>
    private static bool IsOutage(string problem) =>
        problem.Contains("WebSocket connection to", StringComparison.Ordinal) && problem.Contains("failed", StringComparison.Ordinal);

    /// <summary>A top-level entry's text.</summary>
    private ILocator Entry(string kind, string text) =>
        Page.Locator($"#log > .entry[data-kind='{kind}'] > .entry-body > .entry-text")
            .Filter(new() { HasTextRegex = new Regex($"^{kind}: {Regex.Escape(text)}$") });

    /// <summary>The entry of the call typed as <paramref name="line"/>.</summary>
    private ILocator Call(string line) =>
        Page.Locator("#log > .entry[data-kind='sent']").Filter(new()
        {
            // Relative to the entry: its own text, not a reply's (those sit in .replies).
            Has = Page.Locator(".entry-body > .entry-text").Filter(new() { HasTextRegex = new Regex($"^sent: {Regex.Escape(line)}$") }),
        });

    /// <summary>A reply (or error) nested under the call typed as <paramref name="line"/>.</summary>
    private ILocator Reply(string line, string kind, string text) =>
        Call(line).Locator($".replies > .reply[data-kind='{kind}'] > .entry-text")
            .Filter(new() { HasTextRegex = new Regex($"^{kind}: {Regex.Escape(text)}$") });

    private async Task SaveScreenshotAsync(string name)
    {
        var directory = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults"));
        await Page.Locator("#input").BlurAsync();
        await Page.ScreenshotAsync(new() { Path = Path.Combine(directory.FullName, name) });
    }
}
