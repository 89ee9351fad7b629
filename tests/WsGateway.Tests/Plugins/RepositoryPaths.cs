using System.Reflection;

namespace WsGateway.Tests.Plugins;

/// <summary>Paths the build stamped into this assembly (see WsGateway.Tests.csproj).</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = Metadata("RepoRoot");

    /// <summary>Where the build deploys the sample plugins.</summary>
    public static string PluginDeployDir { get; } = Metadata("PluginDeployDir");

    private static string Metadata(string key) =>
        typeof(RepositoryPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"Assembly metadata {key} is empty");
}
