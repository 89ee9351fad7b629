using System.Net.WebSockets;

namespace WsGateway.IntegrationTests.Host;

/// <summary>
/// The gateway as docs/deployment.md installs it: one self-contained executable with gateway.json, plugins/ and scripts/
/// beside it, started from a folder that has nothing of its own.
/// </summary>
[Collection(nameof(RepoReleaseBuildCollection))]
public sealed class SingleFileTests : IDisposable
{
    private readonly string _install = Directory.CreateTempSubdirectory("wsgateway-install-").FullName;
    private readonly string _elsewhere = Directory.CreateTempSubdirectory("wsgateway-cwd-").FullName;

    public void Dispose()
    {
        Directory.Delete(_install, recursive: true);
        Directory.Delete(_elsewhere, recursive: true);
    }

    [Fact]
    public async Task Published_binary_started_from_another_folder_finds_gateway_json_plugins_and_scripts_beside_it()
    {
        var executable = await InstallAsync(_install);

        await using var gateway = await GatewayProcess.StartExecutableAsync(
            executable, _elsewhere, SingleFilePublish.Environment, "--port", "0");

        await AssertServesAsync(gateway.Port);
    }

    [Fact]
    public async Task Published_binary_reads_the_config_file_named_by_the_config_switch()
    {
        var executable = await InstallAsync(_install);
        var etc = Path.Combine(_elsewhere, "etc");
        Directory.CreateDirectory(etc);
        File.Move(Path.Combine(_install, "gateway.json"), Path.Combine(etc, "gateway.json"));
        // Relative folders resolve against the config file's folder: point them back at the install.
        File.WriteAllText(Path.Combine(etc, "gateway.json"), GatewayJson(
            Path.Combine(_install, "plugins"), Path.Combine(_install, "scripts")));

        await using var gateway = await GatewayProcess.StartExecutableAsync(
            executable, _elsewhere, SingleFilePublish.Environment, "--config", Path.Combine(etc, "gateway.json"), "--port", "0");

        await AssertServesAsync(gateway.Port);
    }

    /// <summary>The installed layout: wsgateway, gateway.json, plugins/Tutorial/, scripts/time.csx.</summary>
    private static async Task<string> InstallAsync(string folder)
    {
        var published = await SingleFilePublish.Folder;
        var executable = Path.Combine(folder, "wsgateway");
        File.Copy(Path.Combine(published, "WsGateway.Host"), executable);
        PluginFolders.Copy(Path.Combine(BuildPaths.SamplePlugins, "Tutorial"), Path.Combine(folder, "plugins", "Tutorial"));
        Directory.CreateDirectory(Path.Combine(folder, "scripts"));
        File.Copy(Path.Combine(BuildPaths.SampleScripts, "time.csx"), Path.Combine(folder, "scripts", "time.csx"));
        File.WriteAllText(Path.Combine(folder, "gateway.json"), GatewayJson("plugins", "scripts"));
        return executable;
    }

    private static string GatewayJson(string plugins, string scripts) => $$"""
        {
          "Listen": { "Address": "127.0.0.1", "Port": 12345 },
          "Plugins": { "Directory": "{{plugins}}" },
          "Scripts": { "Directory": "{{scripts}}" },
          "Shutdown": { "DrainSeconds": 2 }
        }
        """;

    private static async Task AssertServesAsync(int port)
    {
        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/"), CancellationToken.None);
        // A plugin command (McMaster's loader inside the bundle) and a script command (Roslyn compiling inside it).
        Assert.StartsWith("Hello, friend!", await client.AskAsync("hello"));
        Assert.Matches(@"^\d\d:\d\d:\d\d$", await client.AskAsync("time"));
    }
}
