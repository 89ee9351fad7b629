namespace WsGateway.IntegrationTests.Plugins;

/// <summary>
/// README.md's "With the template" walk-through, run as written: its blocks marked <c>walkthrough plugin-template</c>,
/// in order, from <c>dotnet pack</c> of this clone to <c>dotnet publish</c> into a running gateway, then the command
/// over a WebSocket. The test sets the README's two variables (the clone is this one, the plugin directory that of
/// the gateway the test starts) and, from the template on, a private template hive and package folder.
/// </summary>
[Collection(nameof(RepoReleaseBuildCollection))]
public sealed class PluginTemplateTests : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("wsgateway-template-").FullName;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task The_readme_takes_a_new_plugin_from_dotnet_new_install_to_a_passing_test_and_an_answer_in_a_running_gateway()
    {
        var blocks = ReadmeWalkthrough.Blocks("plugin-template");
        Assert.All(blocks, b => Assert.Equal("sh", b.Language));
        var pluginDirectory = Path.Combine(_gateway.Root, _gateway.Options.Plugins.Directory);
        var variables = new Dictionary<string, string?>
        {
            ["GATEWAY_CLONE"] = BuildPaths.RepoRoot.TrimEnd('/'),
            ["GATEWAY_PLUGINS"] = pluginDirectory,
        };
        Assert.Equal(variables.Keys, ReadmeWalkthrough.ExportedNames(Assert.Single(blocks, b => b.IsVariables)));

        var steps = blocks.Where(b => !b.IsVariables).Select(b => b.Text).ToList();
        var firstTemplateStep = steps.FindIndex(s => s.Contains("dotnet new", StringComparison.Ordinal));
        Assert.True(firstTemplateStep > 0, "the walk-through packs the clone's packages before it uses the template");

        // The clone's own packs run with the machine's CLI home and package folder, so that its obj/ stays as the
        // normal build left it. Packing validates each package (EnablePackageValidation): no warning may come of it.
        var packed = await Shell.RunAsync(string.Join('\n', steps[..firstTemplateStep]), _work, variables);
        Assert.DoesNotContain("warning", packed, StringComparison.OrdinalIgnoreCase);

        // From the template on, a private CLI home (template hive, NuGet settings) and package folder: the machine's
        // templates stay untouched, and a WsGateway.Contracts 1.0.0 cached by an earlier pack cannot stand in for the
        // one just packed. The packs have no cd, so these steps start where a user's shell would be.
        var isolated = new Dictionary<string, string?>(variables)
        {
            ["DOTNET_CLI_HOME"] = Path.Combine(_work, "cli-home"),
            ["NUGET_PACKAGES"] = Path.Combine(_work, "packages"),
        };
        Assert.DoesNotContain(steps[..firstTemplateStep], s => s.Contains("cd ", StringComparison.Ordinal));
        var output = await Shell.RunAsync(string.Join('\n', steps[firstTemplateStep..]), _work, isolated);

        Assert.Contains("Passed!  - Failed:     0, Passed:     2", output);
        var pluginFolder = Path.Combine(pluginDirectory, "Weather");
        Assert.True(File.Exists(Path.Combine(pluginFolder, "Weather.dll")), $"no Weather.dll in {pluginFolder}:\n{output}");
        Assert.False(File.Exists(Path.Combine(pluginFolder, "WsGateway.Contracts.dll")), "the contract was copied into the plugin");
        Assert.False(File.Exists(Path.Combine(pluginFolder, "Serilog.dll")), "Serilog was copied into the plugin");

        using var client = await _gateway.ConnectAsync();
        var answer = await client.AskUntilAsync("weather Oslo", r => !r.StartsWith("error:", StringComparison.Ordinal), Eventually.Patience);
        Assert.Contains($"`weather Oslo` answers `{answer}`", await File.ReadAllTextAsync(Path.Combine(BuildPaths.RepoRoot, "README.md")));
        Assert.Equal("Hello, Oslo, from Weather!", answer);
        Assert.Contains("plugin Weather 1.0.0", await client.AskAsync("help"));
    }
}
