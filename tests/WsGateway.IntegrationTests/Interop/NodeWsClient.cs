using System.Text.Json;

namespace WsGateway.IntegrationTests.Interop;

/// <summary>
/// node/client.mjs, driven by the npm package <c>ws</c>. The package is installed once per test run into the copy of
/// node/ next to the test assembly (bin/, never the source tree) and reused by later runs while its version matches.
/// </summary>
internal static class NodeWsClient
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan ScenarioTimeout = TimeSpan.FromSeconds(30);
    private static readonly Lazy<Task<string>> Installed = new(InstallAsync);

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "Interop", "node");

    /// <summary>Runs one scenario of client.mjs against <paramref name="url"/> and returns the JSON it printed.</summary>
    /// <param name="perMessageDeflate">ws's perMessageDeflate option as JSON; null keeps ws's default offer.</param>
    public static async Task<JsonElement> RunAsync(Uri url, string scenario, string? perMessageDeflate = null)
    {
        var node = await Installed.Value;
        string[] arguments = perMessageDeflate is null
            ? ["client.mjs", url.ToString(), scenario]
            : ["client.mjs", url.ToString(), scenario, perMessageDeflate];
        var run = await ClientProgram.RunAsync(node, arguments, Folder, ScenarioTimeout);
        Assert.True(run.Succeeded, $"The ws client failed:\n{run.Describe()}");
        using var json = JsonDocument.Parse(run.Stdout);
        return json.RootElement.Clone();
    }

    /// <summary>
    /// Runs one scenario of library.mjs: the gateway's own JavaScript client (src/clients/js/wsgateway.js, from the
    /// source tree) over <c>ws</c>. Returns the JSON it printed.
    /// </summary>
    public static async Task<JsonElement> RunLibraryAsync(Uri url, string scenario, string? token = null) =>
        Parse(await StartLibraryAsync(url, scenario, token));

    /// <summary>Starts a scenario of library.mjs; await the task for its run (see <see cref="Parse"/>).</summary>
    public static async Task<ProgramRun> StartLibraryAsync(Uri url, string scenario, string? token = null)
    {
        var node = await Installed.Value;
        var library = Path.Combine(BuildPaths.RepoRoot, "src", "clients", "js", "wsgateway.js");
        string[] arguments = token is null
            ? ["library.mjs", url.ToString(), library, scenario]
            : ["library.mjs", url.ToString(), library, scenario, token];
        return await ClientProgram.RunAsync(node, arguments, Folder, ScenarioTimeout);
    }

    public static JsonElement Parse(ProgramRun run)
    {
        Assert.True(run.Succeeded, $"The client failed:\n{run.Describe()}");
        using var json = JsonDocument.Parse(run.Stdout);
        return json.RootElement.Clone();
    }

    /// <returns>The path of node.</returns>
    private static async Task<string> InstallAsync()
    {
        var node = ClientProgram.FindOnPath("node")
            ?? throw new InvalidOperationException(
                "node is not on PATH. The interop tests need Node.js and npm: run tests/run.sh as root on Debian " +
                "(it installs nodejs and npm when node is missing) or install them yourself.");
        var wanted = PinnedVersion();
        if (InstalledVersion() == wanted)
        {
            return node;
        }

        var npm = ClientProgram.FindOnPath("npm")
            ?? throw new InvalidOperationException($"npm is not on PATH (node is at {node}); it is needed once to install ws {wanted}.");
        var run = await ClientProgram.RunAsync(
            npm, ["install", "--no-audit", "--no-fund", "--no-package-lock", "--fetch-retries=1", "--fetch-timeout=60000"], Folder, InstallTimeout);
        if (!run.Succeeded || InstalledVersion() != wanted)
        {
            throw new InvalidOperationException($"Installing ws {wanted} with npm into {Folder} failed:\n{run.Describe()}");
        }

        return node;
    }

    private static string PinnedVersion()
    {
        using var package = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "package.json")));
        return package.RootElement.GetProperty("dependencies").GetProperty("ws").GetString()!;
    }

    private static string? InstalledVersion()
    {
        var path = Path.Combine(Folder, "node_modules", "ws", "package.json");
        if (!File.Exists(path))
        {
            return null;
        }

        using var package = JsonDocument.Parse(File.ReadAllText(path));
        return package.RootElement.GetProperty("version").GetString();
    }
}
