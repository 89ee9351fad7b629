namespace WsGateway.IntegrationTests.Plugins;

/// <summary>
/// The <c>wsgateway-plugin</c> template end to end, as a command author outside the repo uses it: the repo's packages
/// in a folder feed, the template installed from the repo's folder, a new project tested and published into a running
/// gateway. The machine's templates and package cache stay untouched: `dotnet new` gets a private CLI home and hive,
/// restores a private package folder (so a package of the same version restored earlier cannot stand in).
/// </summary>
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
    public async Task A_new_plugin_from_the_template_passes_its_test_and_answers_in_a_running_gateway()
    {
        var repo = BuildPaths.RepoRoot;
        var feed = Path.Combine(_work, "feed");
        var environment = new Dictionary<string, string?>
        {
            ["DOTNET_CLI_HOME"] = Path.Combine(_work, "cli-home"),
            ["NUGET_PACKAGES"] = Path.Combine(_work, "packages"),
        };
        // Built aside (--artifacts-path) so that the repo's own outputs, which other tests use, are not rebuilt.
        foreach (var package in new[] { "src/WsGateway.Contracts", "src/WsGateway.Testing" })
        {
            await Shell.RunAsync(
                $"dotnet pack '{Path.Combine(repo, package)}' -c Release -o '{feed}' --artifacts-path '{Path.Combine(_work, "build")}'", _work, environment);
        }

        var hive = $"--debug:custom-hive '{Path.Combine(_work, "hive")}'";
        await Shell.RunAsync($"dotnet new install '{Path.Combine(repo, "templates/WsGateway.Templates/wsgateway-plugin")}' {hive}", _work, environment);
        await Shell.RunAsync($"dotnet new wsgateway-plugin -n Weather --feed '{feed}' {hive}", _work, environment);
        var project = Path.Combine(_work, "Weather");

        Assert.Contains("Passed!  - Failed:     0, Passed:     2", await Shell.RunAsync("dotnet test", project, environment));

        var pluginFolder = Path.Combine(_gateway.Root, _gateway.Options.Plugins.Directory, "Weather");
        await Shell.RunAsync($"dotnet publish Weather -c Release -o '{pluginFolder}'", project, environment);
        Assert.False(File.Exists(Path.Combine(pluginFolder, "WsGateway.Contracts.dll")), "the contract was copied into the plugin");
        Assert.False(File.Exists(Path.Combine(pluginFolder, "Serilog.dll")), "Serilog was copied into the plugin");

        using var client = await _gateway.ConnectAsync();
        Assert.Equal("Hello, Oslo, from Weather!",
            await client.AskUntilAsync("weather Oslo", r => !r.StartsWith("error:", StringComparison.Ordinal), Eventually.Patience));
        Assert.Contains("plugin Weather 1.0.0", await client.AskAsync("help"));
    }
}
