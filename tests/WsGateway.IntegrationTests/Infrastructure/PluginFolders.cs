namespace WsGateway.IntegrationTests.Infrastructure;

/// <summary>Copies built plugins into a gateway's plugins folder the way a deployment tool would.</summary>
internal static class PluginFolders
{
    /// <summary>Deploys the built sample plugin <paramref name="name"/> (plugins/NAME) into <paramref name="gateway"/>'s plugins folder.</summary>
    public static void Deploy(TestGateway gateway, string name)
    {
        var built = Path.Combine(BuildPaths.SamplePlugins, name);
        Assert.True(Directory.Exists(built), $"The sample plugin {name} is not deployed at {built}: build the solution first (dotnet build WsGateway.sln).");
        Copy(built, Path.Combine(gateway.Root, "plugins", name));
    }

    /// <summary>
    /// Copies <paramref name="from"/> with its subfolders to <paramref name="to"/>: staged next to it and renamed, so that
    /// a gateway watching the parent sees a complete folder appear at once.
    /// </summary>
    public static void Copy(string from, string to)
    {
        var staging = to + ".staging";
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(staging, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        Directory.Move(staging, to);
    }
}
