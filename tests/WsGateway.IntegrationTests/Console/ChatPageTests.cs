using System.Text.RegularExpressions;

namespace WsGateway.IntegrationTests.Console;

/// <summary>
/// The chat page of the README's <em>Browser apps</em>, exactly as written there (only its gateway address is this
/// test gateway's), served from an origin of its own as an app's page would be, in headless Chromium with the sample
/// Chat plugin: it imports the served client across origins, joins the room, and shows what another member says, and
/// what it says itself.
/// </summary>
public sealed partial class ChatPageTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;
    private HeadlessChromium _chromium = null!;

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartAsync(o => o.Plugins.Directory = BuildPaths.SamplePlugins);
        _chromium = await HeadlessChromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task The_readme_chat_page_joins_the_room_and_shows_what_is_said_there()
    {
        var page = ReadmePage().Replace("localhost:12345", $"127.0.0.1:{_gateway.Port}", StringComparison.Ordinal);
        Assert.True(page.Split('\n').Length <= 30, "the README's chat page is meant to stay under 30 lines");

        // An app's own page, from a web server and an origin of its own (localhost: allowed by the default Origins).
        using var server = new PageServer(page);
        await _chromium.Page.GotoAsync(server.Url);
        var messages = _chromium.Page.Locator("#messages li");
        await Microsoft.Playwright.Assertions.Expect(messages.Filter(new() { HasTextString = "joined lobby" })).ToHaveCountAsync(1);

        // Another member of the room, over plain text.
        using var other = await _gateway.ConnectAsync();
        await other.SendTextAsync("join lobby");
        await other.SendTextAsync("say hello from Bob");
        await Microsoft.Playwright.Assertions.Expect(messages.Filter(new() { HasTextString = "hello from Bob" })).ToHaveCountAsync(1);

        await _chromium.Page.FillAsync("#text", "hello from the page");
        await _chromium.Page.ClickAsync("#send button");
        await Microsoft.Playwright.Assertions.Expect(messages.Filter(new() { HasTextString = "hello from the page" })).ToHaveCountAsync(1);
        Assert.Empty(_chromium.Problems);
    }

    private static string ReadmePage()
    {
        var readme = File.ReadAllText(Path.Combine(BuildPaths.RepoRoot, "README.md"));
        int section = readme.IndexOf("\n## Browser apps\n", StringComparison.Ordinal);
        Assert.True(section >= 0, "README.md has no Browser apps section");
        var block = HtmlFence().Match(readme, section);
        Assert.True(block.Success, "the Browser apps section has no html block");
        return block.Groups["body"].Value;
    }

    [GeneratedRegex(@"```html\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex HtmlFence();

    /// <summary>Serves one page at http://localhost:PORT/chat.html, as an app's web server would.</summary>
    private sealed class PageServer : IDisposable
    {
        private readonly System.Net.HttpListener _listener = new();
        private readonly byte[] _page;

        public PageServer(string page)
        {
            _page = System.Text.Encoding.UTF8.GetBytes(page);
            int port = WsGateway.IntegrationTests.Cluster.RedisServer.FreePort();
            _listener.Prefixes.Add($"http://localhost:{port}/");
            _listener.Start();
            Url = $"http://localhost:{port}/chat.html";
            _ = ServeAsync();
        }

        public string Url { get; }

        public void Dispose() => _listener.Close();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                System.Net.HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is System.Net.HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.OutputStream.WriteAsync(_page);
                context.Response.Close();
            }
        }
    }
}
