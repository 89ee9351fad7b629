using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WsGateway.IntegrationTests.Console;

/// <summary>The console as a fresh clone ships it: the sample plugins and scripts, in a real browser.</summary>
public sealed class TutorialConsoleTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;
    private HeadlessChromium _chromium = null!;

    private IPage Page => _chromium.Page;

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartAsync(o =>
        {
            o.Plugins.Directory = BuildPaths.SamplePlugins;
            o.Scripts.Directory = BuildPaths.SampleScripts;
        });
        _chromium = await HeadlessChromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task The_console_negotiates_permessage_deflate_and_a_compressed_reply_arrives_intact()
    {
        // The handshake as the browser saw it, from the DevTools protocol.
        var cdp = await _chromium.Context.NewCDPSessionAsync(Page);
        var agreed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        cdp.Event("Network.webSocketHandshakeResponseReceived").OnEvent += (_, e) =>
        {
            var headers = e!.Value.GetProperty("response").GetProperty("headers");
            foreach (var header in headers.EnumerateObject())
            {
                if (header.Name.Equals("Sec-WebSocket-Extensions", StringComparison.OrdinalIgnoreCase))
                {
                    agreed.TrySetResult(header.Value.GetString()!);
                }
            }
        };
        await cdp.SendAsync("Network.enable");

        await Page.GotoAsync(_gateway.HttpUri().ToString());
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 15_000 });
        Assert.StartsWith("permessage-deflate", await agreed.Task.WaitAsync(Eventually.Patience));

        // Longer than Compression:MinMessageBytes, so the reply goes out compressed.
        var words = string.Join(' ', Enumerable.Range(0, 400).Select(i => $"word{i % 17}"));
        Assert.True(words.Length > _gateway.Options.Compression.MinMessageBytes);
        await Page.Locator("#input").FillAsync("echo " + words);
        await Page.Locator("#input").PressAsync("Enter");

        var received = Page.Locator("#log .reply[data-kind='received']");
        await Expect(received).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await Expect(received.First).ToContainTextAsync(words);
        Assert.Empty(_chromium.Problems);
    }

    [Fact]
    public async Task The_tutorial_commands_answer_in_the_console()
    {
        await Page.SetViewportSizeAsync(1200, 760);
        await Page.GotoAsync(_gateway.HttpUri().ToString());
        await Expect(Page.Locator("#status")).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 15_000 });
        foreach (var command in new[] { "hello", "hi", "name", "age", "date", "time", "thanks", "bye", "echo", "words" })
        {
            await Expect(Page.Locator($"#commands button[data-command='{command}']")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        }

        string[] lines = ["hello", "name Ada", "hello", "age", "date", "time", "echo Hello from the browser", "words 42", "thanks"];
        foreach (var line in lines)
        {
            await Page.Locator("#input").FillAsync(line);
            await Page.Locator("#input").PressAsync("Enter");
        }

        var received = Page.Locator("#log .reply[data-kind='received']");
        await Expect(received).ToHaveCountAsync(lines.Length, new() { Timeout = 10_000 });
        await Expect(received.Nth(1)).ToContainTextAsync("Nice to meet you, Ada.");
        await Expect(received.Nth(2)).ToContainTextAsync("Ada");
        await Expect(received.Nth(4)).ToHaveTextAsync(new Regex(@"\d{4}-\d{2}-\d{2}"));
        await Expect(received.Nth(6)).ToContainTextAsync("Hello from the browser");
        await Expect(received.Nth(7)).ToContainTextAsync("forty-two");
        await Expect(Page.Locator("#log [data-kind='error']")).ToHaveCountAsync(0);
        await Expect(Page.Locator("#log > .entry[data-kind='sent'][data-state='done']")).ToHaveCountAsync(lines.Length);

        var directory = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults"));
        await Page.Locator("#input").BlurAsync();
        await Page.ScreenshotAsync(new() { Path = Path.Combine(directory.FullName, "console-tutorial.png") });
        Assert.Empty(_chromium.Problems);
    }
}
