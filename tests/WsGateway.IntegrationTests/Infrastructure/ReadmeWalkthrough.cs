using System.Text.RegularExpressions;

namespace WsGateway.IntegrationTests.Infrastructure;

/// <summary>
/// The code blocks of README.md that a test runs as written: each is marked on the line before its fence with
/// <c>&lt;!-- walkthrough NAME --&gt;</c>, or <c>&lt;!-- walkthrough NAME: variables --&gt;</c> for the block that
/// sets the shell variables the others use (which the test sets itself, to this clone and its own gateway).
/// </summary>
public static partial class ReadmeWalkthrough
{
    /// <param name="Language">The fence's language (<c>sh</c>, <c>xml</c>, <c>csharp</c>).</param>
    /// <param name="Text">The block's text, exactly as in the README.</param>
    /// <param name="IsVariables">Whether it is the block of variables.</param>
    public sealed record Block(string Language, string Text, bool IsVariables);

    /// <summary>The blocks marked <paramref name="name"/>, in the README's order.</summary>
    public static IReadOnlyList<Block> Blocks(string name)
    {
        var readme = File.ReadAllText(Path.Combine(BuildPaths.RepoRoot, "README.md")).ReplaceLineEndings("\n");
        var blocks = MarkedBlock().Matches(readme)
            .Where(m => m.Groups["name"].Value == name)
            .Select(m => new Block(m.Groups["lang"].Value, m.Groups["text"].Value, m.Groups["variables"].Success))
            .ToList();
        Assert.True(blocks.Count > 0, $"README.md has no block marked <!-- walkthrough {name} -->");
        return blocks;
    }

    /// <summary>The names a block of variables exports (<c>export NAME=...</c>), in order.</summary>
    public static IReadOnlyList<string> ExportedNames(Block variables) =>
        [.. Export().Matches(variables.Text).Select(m => m.Groups["name"].Value)];

    [GeneratedRegex(@"^<!-- walkthrough (?<name>[\w-]+)(?<variables>: variables)? -->\n```(?<lang>\w+)\n(?<text>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex MarkedBlock();

    [GeneratedRegex(@"^export (?<name>\w+)=", RegexOptions.Multiline)]
    private static partial Regex Export();
}
