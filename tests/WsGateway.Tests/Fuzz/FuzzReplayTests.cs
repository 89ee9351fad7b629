using WsGateway.Fuzz;
using WsGateway.Tests.Plugins;

namespace WsGateway.Tests.Fuzz;

/// <summary>
/// Replays the fuzzing corpus and every crasher afl ever saved (tests/WsGateway.Fuzz) against the plain build, through
/// the same targets and checks as the afl harness: a crasher stays a regression test once its bug is fixed.
/// </summary>
public sealed class FuzzReplayTests
{
    public static TheoryData<string> Targets => new(FuzzTargets.Names);

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_corpus_input_and_crasher_passes_its_target(string name)
    {
        Assert.True(FuzzTargets.TryGet(name, out var target));
        string fuzzDir = Path.Combine(RepositoryPaths.Root, "tests", "WsGateway.Fuzz");
        string[] corpus = Directory.GetFiles(Path.Combine(fuzzDir, "corpus", name));
        string crashersDir = Path.Combine(fuzzDir, "crashers", name);
        string[] crashers = Directory.Exists(crashersDir) ? Directory.GetFiles(crashersDir) : [];
        Assert.NotEmpty(corpus);

        var failures = new List<string>();
        foreach (string file in corpus.Concat(crashers).Order(StringComparer.Ordinal))
        {
            try
            {
                target(File.ReadAllBytes(file));
            }
            catch (Exception ex)
            {
                failures.Add($"{Path.GetRelativePath(fuzzDir, file)}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {corpus.Length + crashers.Length} inputs failed:\n{string.Join('\n', failures)}");
    }
}
