using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Playwright;
using WsGateway.IntegrationTests.Authentication;
using static Microsoft.Playwright.Assertions;

namespace WsGateway.IntegrationTests.Console;

/// <summary>
/// The console's admin view in headless Chromium, as an operator uses it: logged in with a JWT that holds the role
/// admin (the same token the console connects with, sent to the HTTP API as a bearer token), it shows a session a test
/// client opened and the command it runs, disconnects it with a reason, and shows a script reload and its failed
/// edit as they happen; a token without the role sees no admin view and gets 403 from the API the view reads.
/// </summary>
public sealed class ConsoleAdminTests : IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Connects = new() { Timeout = 15_000 };

    private TestGateway _gateway = null!;
    private HeadlessChromium _chromium = null!;

    static ConsoleAdminTests() => SetDefaultExpectTimeout(15_000);

    private IPage Page => _chromium.Page;

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartAsync(options =>
        {
            TestTokens.Configure(options, "jwt", "none");
            // No command here may time out by being slow on a busy machine.
            options.Commands.TimeoutSeconds = Eventually.Patience.TotalSeconds;
            // A script the test client keeps running while the operator looks.
            File.WriteAllText(Path.Combine(options.ResolvePath(options.Scripts.Directory), "report.csx"),
                "// description: A slow report\nawait Task.Delay(System.Threading.Timeout.Infinite, CancellationToken);\n");
        });
        _chromium = await HeadlessChromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    private ILocator SessionRow(string id) => Page.Locator($"[data-testid='admin-session'][data-session='{id}']");

    [Fact]
    public async Task An_admin_sees_a_session_and_what_it_runs_disconnects_it_and_watches_a_script_reload()
    {
        await Page.GotoAsync($"{_gateway.HttpUri()}#access_token={TestTokens.Create("root", ["admin"])}");
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "connected", Connects);
        await Expect(Page.Locator("#admin")).ToBeVisibleAsync();
        await Expect(Page.Locator("#admin")).ToHaveAttributeAsync("data-loaded", "true");
        await Expect(Page.Locator("#admin-bus")).ToHaveTextAsync("Running alone (no cluster bus)");

        // A client connects and starts a command that runs until it is stopped.
        using var bob = await _gateway.ConnectAsync(configure: o => o.SetRequestHeader("Authorization", "Bearer " + TestTokens.Create("bob", ["operator"])));
        await bob.SendAsync("report"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var bobId = await Eventually.ValueAsync(
            async () => (await ApiSessionsAsync()).Where(s => s.GetProperty("user").GetString() == "bob").Select(s => s.GetProperty("id").GetString()).FirstOrDefault(),
            id => id is not null, Eventually.Patience);
        var row = SessionRow(bobId!);
        await Expect(row).ToContainTextAsync("bob");
        await Expect(row.Locator(".admin-running")).ToContainTextAsync("report since");

        // A script appears, then an edit that does not compile: both show up without reloading the page.
        var stamp = Path.Combine(_gateway.Root, "scripts", "stamp.csx");
        await File.WriteAllTextAsync(stamp, "\"v1\"\n");
        await Expect(Page.Locator("[data-testid='admin-reload'][data-name='stamp.csx'][data-outcome='loaded']")).ToBeVisibleAsync();
        await File.WriteAllTextAsync(stamp, "\"v1\" +\n");
        var failed = Page.Locator("[data-testid='admin-reload'][data-name='stamp.csx'][data-outcome='failed']");
        await Expect(failed).ToContainTextAsync("stamp.csx(");

        // A refused handshake is counted by its reason.
        using (var refused = new ClientWebSocket())
        {
            refused.Options.SetRequestHeader("Origin", "https://evil.example");
            await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(_gateway.WebSocketUri(), CancellationToken.None));
        }

        await Expect(Page.Locator("#admin-refusal-counts")).ToContainTextAsync("origin: 1");
        // The console's own help call is counted, with its run time.
        await Expect(Page.Locator("[data-testid='admin-command'][data-command='help']")).ToContainTextAsync(" ms");

        await SaveScreenshotAsync("console-admin.png");

        await Page.Locator("#admin-reason").FillAsync("seen enough");
        await row.Locator("[data-testid='admin-disconnect']").ClickAsync();
        var buffer = new byte[256];
        using (var timeout = new CancellationTokenSource(Eventually.Patience))
        {
            while ((await bob.ReceiveAsync(buffer, timeout.Token)).MessageType != WebSocketMessageType.Close)
            {
            }
        }

        Assert.Equal((WebSocketCloseStatus?)4000, bob.CloseStatus);
        Assert.Equal("disconnected by the API: seen enough", bob.CloseStatusDescription);
        await Expect(row).ToHaveCountAsync(0);
        // The log names the admin who did it, as the token named them.
        Assert.Contains(_gateway.Logs.Events, e =>
            e.MessageTemplate.Text.StartsWith("API disconnect of", StringComparison.Ordinal) && Equals(Handshakes.Property(e, "Caller"), "root"));
        Assert.Empty(_chromium.Problems);
    }

    [Fact]
    public async Task A_caller_without_the_admin_role_sees_no_admin_view_and_the_api_answers_403()
    {
        var token = TestTokens.Create("ada", ["operator"]);
        await Page.GotoAsync($"{_gateway.HttpUri()}#access_token={token}");
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "connected", Connects);
        await Expect(Page.Locator("#status")).ToContainTextAsync("Connected as ada");
        await Expect(Page.Locator("#admin")).ToBeHiddenAsync();

        // The view's data source refuses the token outright, whatever the page shows.
        foreach (var path in new[] { "sessions", "commands", "reloads", "refusals", "nodes" })
        {
            var status = await Page.EvaluateAsync<int>(
                "async ([path, token]) => (await fetch('./api/v1/' + path, { headers: { Authorization: 'Bearer ' + token } })).status",
                new[] { path, token });
            Assert.Equal(403, status);
        }

        // Anonymous: no token, no admin view.
        await Page.GotoAsync("about:blank");
        await Page.GotoAsync(_gateway.HttpUri().ToString());
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "connected", Connects);
        await Expect(Page.Locator("#admin")).ToBeHiddenAsync();
        // The browser reports each refused fetch as a console error; nothing else may go wrong.
        Assert.DoesNotContain(_chromium.Problems, p => !p.Contains("403", StringComparison.Ordinal));
    }

    /// <summary>The sessions as the API lists them, asked as the test (with a token of its own), not through the page.</summary>
    private async Task<JsonElement[]> ApiSessionsAsync()
    {
        using var http = new HttpClient { Timeout = Eventually.Patience };
        using var request = new HttpRequestMessage(HttpMethod.Get, _gateway.HttpUri("/api/v1/sessions"));
        request.Headers.Authorization = new("Bearer", TestTokens.Create("test", ["admin"]));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. json.RootElement.GetProperty("sessions").EnumerateArray().Select(s => s.Clone())];
    }

    private async Task SaveScreenshotAsync(string name)
    {
        var directory = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults"));
        await Page.Locator("#input").BlurAsync();
        await Page.Locator("#admin").ScrollIntoViewIfNeededAsync();
        await Page.ScreenshotAsync(new() { Path = Path.Combine(directory.FullName, name), FullPage = true });
    }
}
