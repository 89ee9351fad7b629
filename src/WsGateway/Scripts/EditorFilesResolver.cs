using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace WsGateway.Scripts;

/// <summary>
/// Resolves a script's <c>#load</c> of a file in the scripts directory's <c>.editor/</c> folder to an empty file,
/// whether or not it exists, and every other <c>#load</c> as Roslyn does.
/// </summary>
/// <remarks>
/// <c>.editor/globals.csx</c> is what an editor needs to know of a script: the globals, the imports and the contract
/// that the gateway gives every script itself (scripts/README.md, "In an editor"). Read by the gateway, its
/// declarations would hide the real globals, and its <c>#r</c> paths, which point into a clone's build, need not exist
/// where the gateway runs; so the gateway never reads it, and a script copied without that folder still compiles.
/// </remarks>
internal sealed class EditorFilesResolver : SourceReferenceResolver
{
    /// <summary>The folder of the scripts directory that only editors read.</summary>
    public const string FolderName = ".editor";

    private readonly SourceReferenceResolver _inner;
    private readonly string _editorFolder;

    /// <param name="inner">Resolves every other <c>#load</c>.</param>
    /// <param name="scriptsDirectory">The resolved scripts directory.</param>
    public EditorFilesResolver(SourceReferenceResolver inner, string scriptsDirectory)
    {
        _inner = inner;
        _editorFolder = Path.Join(Path.GetFullPath(scriptsDirectory), FolderName) + Path.DirectorySeparatorChar;
    }

    public override string? NormalizePath(string path, string? baseFilePath) =>
        EditorFile(path, baseFilePath) ?? _inner.NormalizePath(path, baseFilePath);

    public override string? ResolveReference(string path, string? baseFilePath) =>
        EditorFile(path, baseFilePath) ?? _inner.ResolveReference(path, baseFilePath);

    public override Stream OpenRead(string resolvedPath) =>
        IsEditorFile(resolvedPath) ? new MemoryStream([], writable: false) : _inner.OpenRead(resolvedPath);

    public override SourceText ReadText(string resolvedPath) =>
        IsEditorFile(resolvedPath) ? SourceText.From(string.Empty, Encoding.UTF8) : _inner.ReadText(resolvedPath);

    public override bool Equals(object? other) =>
        other is EditorFilesResolver resolver && resolver._editorFolder == _editorFolder && resolver._inner.Equals(_inner);

    public override int GetHashCode() => HashCode.Combine(_inner, _editorFolder);

    /// <summary>The full path of <paramref name="path"/> when it is in the editor folder, else null.</summary>
    private string? EditorFile(string path, string? baseFilePath)
    {
        var directory = Path.GetDirectoryName(baseFilePath);
        if (directory is null && !Path.IsPathRooted(path))
        {
            return null;
        }

        var full = directory is null ? Path.GetFullPath(path) : Path.GetFullPath(path, directory);
        return IsEditorFile(full) ? full : null;
    }

    private bool IsEditorFile(string fullPath) => fullPath.StartsWith(_editorFolder, StringComparison.Ordinal);
}
