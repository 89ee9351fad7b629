using Microsoft.Playwright;

namespace WsGateway.IntegrationTests.Console;

/// <summary>
/// The system's Chromium, driven by Playwright, with a fresh profile per instance. Playwright's own browser download
/// does not work on the test machines, so the Debian package is launched directly (see the README's test command).
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    /// <summary>Overrides the browser binary; defaults to Debian's <c>chromium</c> package.</summary>
    public const string ExecutableVariable = "WSGATEWAY_CHROMIUM";

    private readonly IPlaywright _playwright;
    private readonly DirectoryInfo _profile;
    private readonly List<string> _problems = [];

    private HeadlessChromium(IPlaywright playwright, DirectoryInfo profile, IBrowserContext context, IPage page)
    {
        _playwright = playwright;
        _profile = profile;
        Context = context;
        Page = page;
        // CSP violations and script errors both surface here; a console that works must produce none.
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_problems)
                {
                    _problems.Add($"console: {message.Text}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_problems)
            {
                _problems.Add($"page error: {error}");
            }
        };
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>What the page reported as errors so far.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems];
            }
        }
    }

    /// <summary>Starts the browser; throws (failing the test) when it cannot start.</summary>
    public static async Task<HeadlessChromium> LaunchAsync()
    {
        var executable = Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } configured
            ? configured
            : "/usr/bin/chromium";
        var playwright = await Playwright.CreateAsync();
        var profile = Directory.CreateTempSubdirectory("wsgateway-chromium-");
        try
        {
            var context = await playwright.Chromium.LaunchPersistentContextAsync(profile.FullName, new()
            {
                ExecutablePath = executable,
                Headless = true,
                // Without the networking flags Chromium keeps trying to reach Google, which is closed here.
                Args =
                [
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run",
                ],
                ViewportSize = new() { Width = 1200, Height = 760 },
                ColorScheme = ColorScheme.Light,
                Locale = "en-GB",
            });
            var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
            return new HeadlessChromium(playwright, profile, context, page);
        }
        catch
        {
            playwright.Dispose();
            profile.Delete(recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        _playwright.Dispose();
        try
        {
            _profile.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be flushing its profile; the temp folder is the OS's to clean then.
        }
    }
}
