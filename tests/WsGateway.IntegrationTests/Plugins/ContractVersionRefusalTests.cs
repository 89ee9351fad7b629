using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using WsGateway.Contracts;

namespace WsGateway.IntegrationTests.Plugins;

/// <summary>
/// The contract's version policy end to end (README.md, "Versions of the contract"): a plugin built against a newer
/// contract than the gateway's, published over a version that serves, is refused with both versions named, and the
/// version serving keeps answering.
/// </summary>
public sealed class ContractVersionRefusalTests : IAsyncLifetime
{
    private readonly string _work = Directory.CreateTempSubdirectory("wsgateway-contract-version-").FullName;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task A_plugin_built_against_a_newer_contract_minor_is_refused_naming_both_versions_and_the_old_build_keeps_serving()
    {
        var gateway = typeof(ICommand).Assembly.GetName().Version!;
        var newer = new Version(gateway.Major, gateway.Minor + 1, 0);

        PluginFolders.Deploy(_gateway, "Tutorial");
        using var client = await _gateway.ConnectAsync();
        var hello = await client.AskUntilAsync("hello", r => !r.StartsWith("error:", StringComparison.Ordinal), Eventually.Patience);

        // The sample rebuilt against a contract one minor ahead: Version is a global property, so it versions the
        // referenced WsGateway.Contracts project too. Built aside (--artifacts-path), so the repo's own contract, which
        // the gateway in this process runs, is not rebuilt; the plugins' deploy target writes into the running gateway.
        var pluginDirectory = Path.Combine(_gateway.Root, _gateway.Options.Plugins.Directory);
        await Shell.RunAsync(
            $"dotnet build '{Path.Combine(BuildPaths.RepoRoot, "plugins", "Tutorial")}' -p:Version={newer} " +
            $"--artifacts-path '{Path.Combine(_work, "build")}' -p:PluginDeployDir='{pluginDirectory}/'",
            _work);
        Assert.Equal(new Version(newer.Major, newer.Minor, 0, 0), ContractReferenceOf(Path.Combine(pluginDirectory, "Tutorial", "Tutorial.dll")));

        Assert.True(
            await Eventually.TrueAsync(() => _gateway.Logs.Messages().Any(m => m.Contains("was not reloaded", StringComparison.Ordinal)), Eventually.Patience),
            string.Join('\n', _gateway.Logs.Messages()));
        var refusal = Assert.Single(_gateway.Logs.Messages(), m => m.Contains("was not reloaded", StringComparison.Ordinal));
        Assert.Contains(
            $"it was built against WsGateway.Contracts {newer.Major}.{newer.Minor} and this gateway has {gateway.Major}.{gateway.Minor}",
            refusal);
        Assert.Equal(hello, await client.AskAsync("hello"));
    }

    /// <summary>The version of WsGateway.Contracts that the assembly at <paramref name="path"/> was compiled against.</summary>
    private static Version ContractReferenceOf(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var metadata = pe.GetMetadataReader();
        return metadata.AssemblyReferences
            .Select(metadata.GetAssemblyReference)
            .Single(r => metadata.GetString(r.Name) == typeof(ICommand).Assembly.GetName().Name)
            .Version;
    }
}
