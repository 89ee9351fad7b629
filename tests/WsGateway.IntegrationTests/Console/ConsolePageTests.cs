using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
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

        await SendAsync("hello");
        await Expect(Entry("sent", "hello")).ToBeVisibleAsync();
        await Expect(Entry("received", "Hello from the gateway!")).ToBeVisibleAsync();

        // The hints come from `help --json`: a click on a command without arguments sends it.
        var thanks = Page.Locator("#commands button[data-command='thanks']");
        await Expect(thanks).ToHaveAttributeAsync("title", new Regex("You are welcome"));
        await thanks.ClickAsync();
        await Expect(Entry("received", "You're welcome!")).ToBeVisibleAsync();

        // One that takes arguments is put into the input instead, ready for them.
        await Page.Locator("#commands button[data-command='name']").ClickAsync();
        await Expect(Page.Locator("#input")).ToHaveValueAsync("name ");
        await Expect(Page.Locator("#input")).ToBeFocusedAsync();
        await Page.Keyboard.TypeAsync("Ada");
        await Page.Keyboard.PressAsync("Enter");
        await Expect(Entry("received", "Nice to meet you, Ada.")).ToBeVisibleAsync();

        await Expect(Page.Locator("#commands button[data-command='weather']")).ToHaveAttributeAsync("data-broken", "true");

        await SendAsync("foo");
        await Expect(Entry("error", "error: unknown command \"foo\"; send \"help\" to list commands")).ToBeVisibleAsync();

        // JSON envelope: replies appear under the request with the same id.
        await Page.Locator("#json-mode").CheckAsync();
        await SendAsync("echo over JSON");
        await Expect(Page.Locator("#log .entry[data-kind='sent'][data-id='1'] .reply[data-kind='received']"))
            .ToHaveTextAsync(new Regex("over JSON"));
        await SendAsync("nope");
        await Expect(Page.Locator("#log .entry[data-kind='sent'][data-id='2'] .reply[data-kind='error']"))
            .ToHaveTextAsync(new Regex("unknown command \"nope\""));
        await Page.Locator("#json-mode").UncheckAsync();

        // History: Up brings back what was sent, newest first.
        await Page.Locator("#input").FocusAsync();
        await Page.Keyboard.PressAsync("ArrowUp");
        await Expect(Page.Locator("#input")).ToHaveValueAsync("nope");
        await Page.Keyboard.PressAsync("ArrowUp");
        await Expect(Page.Locator("#input")).ToHaveValueAsync("echo over JSON");
        await Page.Keyboard.PressAsync("Escape");

        await SaveScreenshotAsync("console.png");

        await Page.Locator("#input").PressAsync("Control+l");
        await Expect(Page.Locator("#log > li")).ToHaveCountAsync(0);
        await Expect(Page.Locator("#log-empty")).ToBeVisibleAsync();
        Assert.Empty(_chromium.Problems);
    }

    [Fact]
    public async Task Received_text_is_shown_as_text_never_as_html()
    {
        const string markup = "<img src=x data-injected=1><b>not bold</b>";
        await OpenConsoleAsync();

        await SendAsync("echo " + markup);

        await Expect(Entry("received", markup)).ToBeVisibleAsync();
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
        await Expect(Page.Locator("#log .entry[data-kind='system']").Filter(new() { HasTextRegex = new Regex("1001") })).ToBeVisibleAsync();

        await StartGatewayAgainAsync(port);
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "connected", Reconnects);
        await SendAsync("hello");
        await Expect(Entry("received", "Hello from the gateway!")).ToBeVisibleAsync();

        // A reconnect attempt that lands while the gateway is down makes Chromium log "WebSocket connection to … failed"
        // (how many depends on how long the restart takes); that is the outage itself, not a fault of the page.
        Assert.DoesNotContain(_chromium.Problems, p => !(p.Contains("WebSocket connection to", StringComparison.Ordinal) && p.Contains("failed", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Bye_closes_the_session_and_the_console_waits_until_asked_to_connect()
    {
        await OpenConsoleAsync();

        await SendAsync("bye");
        await Expect(Entry("received", "Goodbye!")).ToBeVisibleAsync();
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "closed");
        await Expect(Page.Locator("#status")).ToContainTextAsync("1000 bye");
        await Expect(Page.Locator("#send")).ToBeDisabledAsync();

        await Page.Locator("#reconnect").ClickAsync();
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "connected", Connects);
        await Expect(Page.Locator("#send")).ToBeEnabledAsync();
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

    private ILocator Entry(string kind, string text) =>
        Page.Locator($"#log .entry[data-kind='{kind}'] > .entry-body > .entry-text")
            .Filter(new() { HasTextRegex = new Regex($"^{kind}: {Regex.Escape(text)}$") });

    private async Task SaveScreenshotAsync(string name)
    {
        var directory = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults"));
        await Page.Locator("#input").BlurAsync();
        await Page.ScreenshotAsync(new() { Path = Path.Combine(directory.FullName, name) });
    }
}
