using System.Text.RegularExpressions;

namespace WsGateway.IntegrationTests.Plugins;

/// <summary>
/// README.md's "Writing a plugin" walk-through by hand, run as written (its blocks marked <c>walkthrough
/// plugin-by-hand</c>): its shell commands, its project file and its command class, against a running gateway; then
/// its update step, which must replace the version serving.
/// </summary>
public sealed partial class ReadmePluginWalkthroughTests : IAsyncLifetime
{
    private const string RepositoryPlaceholder = "PATH-TO-WSGATEWAY";

    private readonly string _work = Directory.CreateTempSubdirectory("wsgateway-readme-plugin-").FullName;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task The_readme_commands_install_a_plugin_and_the_same_command_updates_it()
    {
        var blocks = ReadmeWalkthrough.Blocks("plugin-by-hand");
        Assert.True(blocks.Count == 4, $"the walk-through has {blocks.Count} code blocks; this test knows the 4 of new, project, class, publish");
        var (create, project, command, publish) = (blocks[0], blocks[1], blocks[2], blocks[3]);
        Assert.Equal(("sh", "xml", "csharp", "sh"), (create.Language, project.Language, command.Language, publish.Language));

        await Shell.RunAsync(create.Text, _work);
        var projectFolder = Path.Combine(_work, "Weather");
        await File.WriteAllTextAsync(Path.Combine(projectFolder, "Weather.csproj"), project.Text.Replace(RepositoryPlaceholder, BuildPaths.RepoRoot));
        var source = Path.Combine(projectFolder, "WeatherCommand.cs");
        await File.WriteAllTextAsync(source, command.Text);

        // The README's variable for the plugin directory (see its template walk-through) names this gateway's.
        var pluginDirectory = Path.Combine(_gateway.Root, _gateway.Options.Plugins.Directory);
        var variables = new Dictionary<string, string?> { ["GATEWAY_PLUGINS"] = pluginDirectory };
        Assert.Contains("$GATEWAY_PLUGINS", publish.Text, StringComparison.Ordinal);

        using var client = await _gateway.ConnectAsync();
        await Shell.RunAsync(publish.Text, projectFolder, variables);
        Assert.Equal("Sunny in Oslo.", await client.AskUntilAsync("weather Oslo", r => !r.StartsWith("error:", StringComparison.Ordinal), Eventually.Patience));
        Assert.Contains("plugin Weather 1.0.0", await client.AskAsync("help"));

        // Version 2, same version number (as people forget to bump it), deployed with the very same command.
        await File.WriteAllTextAsync(source, command.Text.Replace("Sunny in", "Rainy in", StringComparison.Ordinal));
        await Shell.RunAsync(publish.Text, projectFolder, variables);
        Assert.Equal("Rainy in Oslo.", await client.AskUntilAsync("weather Oslo", r => r.StartsWith("Rainy", StringComparison.Ordinal), Eventually.Patience));

        Assert.False(Directory.Exists(Path.Combine(pluginDirectory, "Weather", "Weather")), "the update nested a copy of the plugin");
        var reloaded = Assert.Single(_gateway.Logs.Messages(), m => m.Contains("Reloaded plugin", StringComparison.Ordinal));
        var hashes = Sha256().Matches(reloaded).Select(m => m.Value).ToArray();
        Assert.True(hashes.Length == 2 && hashes[0] != hashes[1], reloaded);
    }

    [GeneratedRegex("sha256 [0-9a-f]{12}")]
    private static partial Regex Sha256();
}
