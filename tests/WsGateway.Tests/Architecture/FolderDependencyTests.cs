using System.Text.RegularExpressions;
using WsGateway.Tests.Plugins;

namespace WsGateway.Tests.Architecture;

/// <summary>
/// The folders of src/WsGateway follow the data (listening, handshake, connection, sending, commands, groups), so
/// dependencies point one way: no folder uses one that uses it back. A folder's namespace is its name, and a file
/// names the folders it uses in its using directives.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private static readonly string Source = Path.Combine(RepositoryPaths.Root, "src", "WsGateway");

    [Fact]
    public void No_folder_uses_one_that_uses_it_back()
    {
        var uses = FolderUses();
        var cycles = new List<string>();
        foreach (var (folder, targets) in uses)
        {
            foreach (var (target, files) in targets)
            {
                if (Reaches(uses, target, folder))
                {
                    cycles.Add($"{folder} -> {target} ({string.Join(", ", files)}) and back");
                }
            }
        }

        Assert.True(cycles.Count == 0, "Folder cycles:\n" + string.Join("\n", cycles));
    }

    [Fact]
    public void Options_use_no_feature()
    {
        var used = FolderUses().GetValueOrDefault("WsGateway.Options")?.Keys.ToList() ?? [];
        Assert.True(used.Count == 0, "Options uses " + string.Join(", ", used));
    }

    [Fact]
    public void Every_file_is_in_the_namespace_of_its_folder()
    {
        var wrong = SourceFiles()
            .Select(file => (File: file, Expected: ExpectedNamespace(file), Actual: NamespaceOf(File.ReadAllText(file))))
            .Where(f => f.Expected != f.Actual)
            .Select(f => $"{Path.GetRelativePath(Source, f.File)}: {f.Actual}, expected {f.Expected}")
            .ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    /// <summary>Folder namespace → the folder namespaces it uses → the files that use each.</summary>
    private static Dictionary<string, Dictionary<string, List<string>>> FolderUses()
    {
        var uses = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        foreach (var file in SourceFiles())
        {
            var text = File.ReadAllText(file);
            var own = NamespaceOf(text);
            foreach (Match match in UsingDirective().Matches(text))
            {
                var used = match.Groups[1].Value;
                if (used == own || used is "WsGateway.Protocol" or "WsGateway.Contracts")
                {
                    continue;
                }

                var targets = uses.TryGetValue(own, out var found) ? found : uses[own] = new(StringComparer.Ordinal);
                (targets.TryGetValue(used, out var files) ? files : targets[used] = []).Add(Path.GetFileName(file));
            }
        }

        return uses;
    }

    private static bool Reaches(Dictionary<string, Dictionary<string, List<string>>> uses, string from, string to)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([from]);
        while (pending.TryPop(out var folder))
        {
            if (folder == to)
            {
                return true;
            }

            if (seen.Add(folder) && uses.TryGetValue(folder, out var targets))
            {
                foreach (var target in targets.Keys)
                {
                    pending.Push(target);
                }
            }
        }

        return false;
    }

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(Source, f).Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"));

    private static string ExpectedNamespace(string file)
    {
        var folder = Path.GetDirectoryName(Path.GetRelativePath(Source, file))!;
        return folder.Length == 0 ? "WsGateway" : "WsGateway." + folder.Replace(Path.DirectorySeparatorChar, '.');
    }

    private static string NamespaceOf(string text) => FileNamespace().Match(text).Groups[1].Value;

    [GeneratedRegex(@"^using (WsGateway(?:\.\w+)+);", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();
}
