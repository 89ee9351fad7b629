using System.Diagnostics;
using System.Text.Json;
using WsGateway.IntegrationTests.Hostile;
using Xunit.Abstractions;

namespace WsGateway.IntegrationTests.Operations;

/// <summary>
/// Thirty seconds of the benchmark's soak against the host built next to the tests: the same driver as
/// <c>tests/WsGateway.Benchmark/soak.sh</c>, run as a child process so that it measures a gateway process of its own
/// (its memory, threads and descriptors from /proc), not this test host. Bounds only, no timing: every request answered
/// once and rightly, nobody dropped, and the gateway back at rest once the clients have left.
/// </summary>
[Collection(nameof(RunAloneCollection))]
public sealed class SoakTests(ITestOutputHelper output)
{
    private const int Seconds = 30;

    // Generous: a Debug gateway under this load grew by about 25 MB in trials; unbounded growth would pass these.
    private const long PeakGrowthBound = 512L * 1024 * 1024;
    private const long AfterGrowthBound = 256L * 1024 * 1024;

    // The thread pool retires idle threads after 20 s, which the soak waits for (up to --settle); a few may remain.
    private const int ThreadSlack = 10;
    private const int FdSlack = 10;

    [Fact]
    public async Task Thirty_seconds_of_mixed_load_with_reloads_lose_no_reply_and_leave_the_gateway_at_rest()
    {
        var outDirectory = Path.Combine(Path.GetTempPath(), "wsgateway-soak-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[
            Path.Combine(AppContext.BaseDirectory, "WsGateway.Benchmark.dll"), "soak",
            "--host", Path.Combine(AppContext.BaseDirectory, "WsGateway.Host.dll"), "--out", outDirectory,
            "--seconds", $"{Seconds}", "--swap-every", "5", "--edit-every", "3", "--settle", "60"])
        {
            start.ArgumentList.Add(arg);
        }

        using var soak = Process.Start(start)!;
        var stdout = soak.StandardOutput.ReadToEndAsync();
        var stderr = soak.StandardError.ReadToEndAsync();
        // Start, warm-up, the load, the clients' last checks and the settling, each bounded by the soak itself.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        try
        {
            await soak.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            soak.Kill(entireProcessTree: true);
            throw;
        }

        output.WriteLine(await stderr);
        var resultPath = Path.Combine(outDirectory, "result.json");
        Assert.True(File.Exists(resultPath), $"the soak wrote no result (exit code {soak.ExitCode}):\n{await stdout}");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(resultPath));
        var result = json.RootElement;
        var baseline = result.GetProperty("baseline");
        var after = result.GetProperty("after");
        output.WriteLine(await File.ReadAllTextAsync(Path.Combine(outDirectory, "report.md")));

        Assert.Equal(0, result.GetProperty("errors").GetInt64());
        Assert.Equal(0, result.GetProperty("unexpected_closes").GetInt64());
        Assert.Equal(result.GetProperty("requests").GetInt64(), result.GetProperty("replies").GetInt64());
        Assert.True(result.GetProperty("replies").GetInt64() > 0);
        Assert.True(result.GetProperty("churn_connections").GetInt64() > 0);
        Assert.True(result.GetProperty("broadcasts_sent").GetInt64() > 0);
        Assert.InRange(result.GetProperty("plugin_swaps").GetInt32(), 1, int.MaxValue);
        Assert.InRange(result.GetProperty("script_edits").GetInt32(), 1, int.MaxValue);
        Assert.Equal(0, result.GetProperty("reload_failures").GetInt64());

        Assert.Equal(0, after.GetProperty("connections_open").GetInt64());
        Assert.InRange(after.GetProperty("threads").GetInt32(), 0, baseline.GetProperty("threads").GetInt32() + ThreadSlack);
        Assert.InRange(after.GetProperty("fds").GetInt32(), 0, baseline.GetProperty("fds").GetInt32() + FdSlack);
        long rssBaseline = baseline.GetProperty("rss_bytes").GetInt64();
        Assert.InRange(result.GetProperty("peak_rss_bytes").GetInt64(), 0, rssBaseline + PeakGrowthBound);
        Assert.InRange(after.GetProperty("rss_bytes").GetInt64(), 0, rssBaseline + AfterGrowthBound);
        Assert.Equal(0, soak.ExitCode);

        Directory.Delete(outDirectory, recursive: true);
    }
}
