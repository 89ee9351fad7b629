namespace WsGateway.Tests.Plugins;

/// <summary>
/// Builds tests/Fixtures/GreeterPlugin once per test class in the variants the tests need, each deployed to its own
/// folder. The builds run one after the other: they share the fixture's obj folder.
/// </summary>
public sealed class GreeterBuilds : IAsyncLifetime
{
    private const string Project = "tests/Fixtures/GreeterPlugin/GreeterPlugin.csproj";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "wsgateway-greeter-" + Guid.NewGuid().ToString("N"));

    /// <summary>GreeterPlugin/ whose <c>greet</c> replies "greet v1".</summary>
    public string Version1 => Path.Combine(_root, "v1", "GreeterPlugin");

    /// <summary>GreeterPlugin/ whose <c>greet</c> replies "greet v2".</summary>
    public string Version2 => Path.Combine(_root, "v2", "GreeterPlugin");

    /// <summary>Welcomer/ with <c>welcome</c> ("welcome v1") and three commands that must be skipped.</summary>
    public string Welcomer => Path.Combine(_root, "welcomer", "Welcomer");

    public async Task InitializeAsync()
    {
        await DotnetBuild.RunAsync(Project, Path.Combine(_root, "v1"), new Dictionary<string, string>(), restore: true);
        await DotnetBuild.RunAsync(
            Project, Path.Combine(_root, "v2"), new Dictionary<string, string> { ["GreeterVersion"] = "2" }, restore: false);
        await DotnetBuild.RunAsync(
            Project,
            Path.Combine(_root, "welcomer"),
            new Dictionary<string, string>
            {
                ["GreeterName"] = "Welcomer",
                ["GreeterCommand"] = "welcome",
                ["GreeterBrokenCommands"] = "true",
            },
            restore: false);
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; the temp folder is the system's to clean.
        }

        return Task.CompletedTask;
    }
}
