using System.Text.RegularExpressions;
using Microsoft.Playwright;
using WsGateway.IntegrationTests.Authentication;
using static Microsoft.Playwright.Assertions;

namespace WsGateway.IntegrationTests.Console;

/// <summary>
/// A gateway that wants a JWT, and the web console in headless Chromium passing one from its own address
/// (<c>#access_token=…</c>), the way a browser app must: a WebSocket cannot carry an Authorization header.
/// </summary>
public sealed class ConsoleTokenTests : IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveAttributeOptions Connects = new() { Timeout = 15_000 };

    private TestGateway _gateway = null!;
    private HeadlessChromium _chromium = null!;

    static ConsoleTokenTests() => SetDefaultExpectTimeout(10_000);

    private IPage Page => _chromium.Page;

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartAsync(options => TestTokens.Configure(options, "jwt"));
        _chromium = await HeadlessChromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task Console_opened_with_a_token_in_its_fragment_connects_as_the_token_holder()
    {
        var token = TestTokens.Create("ada", ["operator"]);

        await Page.GotoAsync($"{_gateway.HttpUri()}#access_token={token}");

        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "connected", Connects);
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-user", "ada");
        await Expect(Page.Locator("#status")).ToContainTextAsync("Connected as ada");
        await Page.Locator("#input").FillAsync("whoami");
        await Page.Locator("#input").PressAsync("Enter");
        await Expect(Page.Locator("#log > .entry[data-kind='sent'] .reply[data-kind='received']").Filter(new() { HasTextRegex = new Regex("ada \\(authenticated by jwt\\); roles: operator") }))
            .ToBeVisibleAsync();

        // The page never shows the token, and the gateway never logs it (it came in the upgrade's query string).
        Assert.DoesNotContain(token, await Page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains(_gateway.Logs.Messages(), m => m.Contains("authenticated as \"ada\" by \"jwt\"", StringComparison.Ordinal));
        Assert.DoesNotContain(_gateway.Logs.Everything(), line => line.Contains(token, StringComparison.Ordinal));
        Assert.Empty(_chromium.Problems);
    }

    [Fact]
    public async Task Console_without_a_token_is_refused_once_says_how_to_pass_one_and_does_not_retry()
    {
        // The page's clock is the test's: RunFor below fires every timer due within a minute of page time, so a back-off
        // the console should not have would run there.
        await Page.Clock.InstallAsync();
        await Page.GotoAsync(_gateway.HttpUri().ToString());

        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "closed", Connects);
        await Expect(Page.Locator("#status")).ToContainTextAsync("4401");
        var refusal = Page.Locator("#log > .entry[data-kind='system']").Filter(new() { HasTextString = "refused the credentials" });
        await Expect(refusal).ToContainTextAsync("auth_required");
        await Expect(refusal).ToContainTextAsync("/#access_token=TOKEN");
        await Expect(Page.Locator("#reconnect")).ToHaveTextAsync("Connect");
        Assert.Equal(1, await RefusalsAsync());

        // A minute of the page's time later: still closed, and the gateway saw no second attempt.
        await Page.Clock.RunForAsync(60_000);
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "closed");
        Assert.Equal(1, await RefusalsAsync());
        Assert.Single(_gateway.Logs.Messages(), IsRefusal);

        // Connect tries once more, on request, and is refused once more.
        await Page.Locator("#reconnect").ClickAsync();
        await Expect(refusal).ToHaveCountAsync(2);
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "closed");
        Assert.Equal(2, await RefusalsAsync());
        Assert.Empty(_chromium.Problems);
    }

    private static bool IsRefusal(string message) =>
        message.Contains("refused with 401", StringComparison.Ordinal) && message.Contains("credentials required", StringComparison.Ordinal);

    private async Task<double> RefusalsAsync() =>
        Handshakes.Sample(await Handshakes.MetricsAsync(_gateway), "wsgateway_handshake_failures_total{reason=\"unauthorized\"}");
}
