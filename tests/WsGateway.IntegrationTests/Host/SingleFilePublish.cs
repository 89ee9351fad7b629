using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace WsGateway.IntegrationTests.Host;

/// <summary>
/// One <c>dotnet publish -p:PublishSingleFile=true</c> per test run, shared by every test that needs the binary. It
/// uses the repo's own obj/ and bin/Release, so a second run only relinks (tens of seconds, not minutes).
/// </summary>
internal static class SingleFilePublish
{
    /// <summary>
    /// One folder per clone, reused by the next run (the publish overwrites it, the extraction is keyed by the bundle's
    /// id), so runs do not pile up copies of a 90 MB binary in /tmp.
    /// </summary>
    private static readonly string Root = Path.Combine(
        Path.GetTempPath(),
        "wsgateway-singlefile-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(BuildPaths.RepoRoot)))[..12]);

    private static readonly Lazy<Task<string>> Published = new(PublishAsync);

    /// <summary>The publish folder; WsGateway.Host in it is the single file.</summary>
    public static Task<string> Folder => Published.Value;

    /// <summary>
    /// Extracts the bundle into the test's folder (once for every start in this run) instead of ~/.net, as the unit
    /// does with its cache directory.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["DOTNET_BUNDLE_EXTRACT_BASE_DIR"] = Path.Combine(Root, "extract"),
    };

    private static async Task<string> PublishAsync()
    {
        var output = Path.Combine(Root, "publish");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = BuildPaths.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "publish", "src/WsGateway.Host", "-c", "Release", "-r", "linux-x64", "--self-contained",
            "-p:PublishSingleFile=true", "-o", output,
            // The sample plugins the publish builds go to its own folder, not to artifacts/plugins that other tests
            // copy from while this runs.
            $"-p:PluginDeployDir={Path.Combine(Root, "plugins")}/",
            "-nologo", "-v:q",
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet publish took more than 4 minutes (under run.sh's 5-minute hang timeout)");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        }

        return output;
    }
}
