using System.Reflection;

namespace WsGateway.IntegrationTests.Infrastructure;

/// <summary>Paths the build stamped into this assembly (see the project file).</summary>
public static class BuildPaths
{
    public static string RepoRoot { get; } = Metadata("RepoRoot");

    /// <summary>Where the normal build deployed the sample plugins, one folder each.</summary>
    public static string SamplePlugins { get; } = Metadata("PluginDeployDir");

    public static string SampleScripts { get; } = Path.Combine(RepoRoot, "scripts");

    private static string Metadata(string key) =>
        typeof(BuildPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata {key} is empty");
}
