namespace WsGateway.Tests.Scripts;

/// <summary>The scripts shipped in the repository's <c>scripts/</c> folder, read where they are.</summary>
public sealed class SampleScriptTests
{
    private static readonly string SamplesDirectory = FindSamples();

    [Fact]
    public async Task Every_sample_compiles_and_has_a_description()
    {
        await using var h = await StartWithSamplesAsync();

        Assert.Equal(["broadcast", "date", "echo", "time"], h.Registry.Current.All.Select(d => d.Name).Order());
        Assert.All(h.Registry.Current.All, d =>
        {
            Assert.Null(d.Problem);
            Assert.DoesNotContain("(no description)", d.Description);
        });
    }

    [Fact]
    public async Task Samples_answer_date_time_and_echo()
    {
        await using var h = await StartWithSamplesAsync();

        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", Assert.Single((await h.RunAsync("date")).Replies));
        Assert.Matches(@"^\d{2}:\d{2}:\d{2}$", Assert.Single((await h.RunAsync("time")).Replies));
        Assert.Equal(["hello  there"], (await h.RunAsync("echo", "hello  there")).Replies);
        Assert.Equal(["usage: echo <text>"], (await h.RunAsync("echo")).Replies);
    }

    /// <summary>The tests run from the build output inside the repository: the samples are in a folder above it.</summary>
    private static string FindSamples()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "scripts");
            if (File.Exists(Path.Combine(candidate, "date.csx")) && File.Exists(Path.Combine(directory.FullName, "WsGateway.sln")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No scripts/ folder of the repository above {AppContext.BaseDirectory}");
    }

    private static async Task<ScriptCatalogHarness> StartWithSamplesAsync()
    {
        var files = new List<(string, string)>();
        foreach (var path in Directory.EnumerateFiles(SamplesDirectory, "*.csx"))
        {
            files.Add((Path.GetFileName(path), await File.ReadAllTextAsync(path)));
        }

        return await ScriptCatalogHarness.StartAsync(files);
    }
}
