using System.Security.Cryptography;
using System.Text;

namespace WsGateway.Plugins;

/// <summary>
/// What one version of a plugin folder is made of: a hash of its files and when its main assembly was written.
/// Version numbers are not enough to tell builds apart (people forget to bump them); the hash is.
/// </summary>
/// <param name="Hash">The first 12 hex digits of a SHA-256 over the folder's files (names and contents).</param>
/// <param name="AssemblyWrittenUtc">The last write time of <c>&lt;Name&gt;.dll</c>.</param>
internal sealed record PluginFingerprint(string Hash, DateTime AssemblyWrittenUtc)
{
    private const int HashDigits = 12;

    /// <summary>
    /// Hashes every file under <paramref name="folder"/> that a load can read: debug symbols are left out, and so
    /// is a nested copy of the plugin (<see cref="NestedCopyOf"/>), which the gateway never loads.
    /// </summary>
    /// <exception cref="IOException">A file changed or vanished while it was read.</exception>
    public static PluginFingerprint Of(string folder, string name)
    {
        var nested = Path.Combine(folder, name) + Path.DirectorySeparatorChar;
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(nested, StringComparison.Ordinal)
                        && !f.EndsWith(".pdb", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> buffer = stackalloc byte[4096];
        foreach (var file in files)
        {
            // The name as well as the content: a renamed dependency is a different plugin.
            sha.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(folder, file)));
            sha.AppendData([0]);
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                sha.AppendData(buffer[..read]);
            }
        }

        var hash = Convert.ToHexStringLower(sha.GetHashAndReset())[..HashDigits];
        return new PluginFingerprint(hash, File.GetLastWriteTimeUtc(Path.Combine(folder, name + ".dll")));
    }

    /// <summary>
    /// The folder <c>&lt;folder&gt;/&lt;Name&gt;/</c> when it holds <c>&lt;Name&gt;.dll</c>: what <c>mv</c> or
    /// <c>cp -r</c> of a new build onto an existing plugin folder makes (the new build lands inside the old one).
    /// </summary>
    public static string? NestedCopyOf(string folder, string name)
    {
        var nested = Path.Combine(folder, name);
        return File.Exists(Path.Combine(nested, name + ".dll")) ? nested : null;
    }

    public override string ToString() => $"sha256 {Hash}, written {AssemblyWrittenUtc:yyyy-MM-dd HH:mm:ss}Z";
}
