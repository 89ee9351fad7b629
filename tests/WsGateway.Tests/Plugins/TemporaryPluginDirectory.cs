namespace WsGateway.Tests.Plugins;

/// <summary>A plugin directory of the test's own, deleted afterwards.</summary>
internal sealed class TemporaryPluginDirectory : IDisposable
{
    public TemporaryPluginDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wsgateway-plugins-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string FolderOf(string plugin) => System.IO.Path.Combine(Path, plugin);

    public string AssemblyOf(string plugin) => System.IO.Path.Combine(Path, plugin, plugin + ".dll");

    /// <summary>Copies a deployed plugin folder in, overwriting files that exist (a rebuild does the same).</summary>
    public void CopyIn(string sourceFolder) =>
        CopyFolder(sourceFolder, FolderOf(System.IO.Path.GetFileName(sourceFolder.TrimEnd('/', '\\'))));

    /// <summary>Copies every file of <paramref name="source"/> into <paramref name="target"/>, overwriting.</summary>
    public static void CopyFolder(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = System.IO.Path.Combine(target, System.IO.Path.GetRelativePath(source, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort; the temp folder is the system's to clean.
        }
    }
}
