namespace WsGateway.Tests.Scripts;

/// <summary>The scripts shipped in <c>scripts/</c> (copied next to the tests by the project file).</summary>
public sealed class SampleScriptTests
{
    private static readonly string SamplesDirectory = Path.Combine(AppContext.BaseDirectory, "sample-scripts");

    [Fact]
    public async Task Every_sample_compiles_and_has_a_description()
    {
        await using var h = await StartWithSamplesAsync();

        Assert.Equal(["date", "echo", "time"], h.Registry.Current.All.Select(d => d.Name).Order());
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
