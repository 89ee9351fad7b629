namespace WsGateway.Scripts;

/// <summary>Which files in the scripts directory are scripts: top-level <c>*.csx</c> files that are not hidden.</summary>
internal static class ScriptFiles
{
    private const string Extension = ".csx";

    /// <summary>The script files in <paramref name="directory"/> now, in ordinal order.</summary>
    public static IEnumerable<string> OnDisk(string directory) =>
        Directory.EnumerateFiles(directory)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(IsScript)
            .Order(StringComparer.Ordinal);

    /// <summary>The script a changed path (relative to the scripts directory) is, or null when it is none.</summary>
    public static string? KeyOf(string relativePath) => IsScript(relativePath) ? relativePath : null;

    /// <summary>Editors' lock and backup files start with a dot; subfolders are not scripts' business.</summary>
    private static bool IsScript(string fileName) =>
        fileName.EndsWith(Extension, StringComparison.OrdinalIgnoreCase)
        && !fileName.StartsWith('.')
        && fileName.IndexOfAny(['/', '\\']) < 0;
}
