using System.Diagnostics;
using System.Text;

namespace WsGateway.IntegrationTests.Infrastructure;

/// <summary>Runs a bash script as a user would type it, and fails the test with its output when it fails.</summary>
public static class Shell
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <param name="script">Run with <c>bash -euo pipefail -c</c>.</param>
    /// <param name="workingDirectory">Where it runs.</param>
    /// <param name="environment">Variables to set (or, with a null value, to remove) for it.</param>
    /// <returns>Its standard output and error, interleaved.</returns>
    public static async Task<string> RunAsync(string script, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-euo");
        start.ArgumentList.Add("pipefail");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);

        // Under `dotnet test`, MSBuild's variables point at that build; the user's commands run without them.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var output = new StringBuilder();
        var pumps = Task.WhenAll(PumpAsync(process.StandardOutput, output), PumpAsync(process.StandardError, output));
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{script}` took more than {Timeout}:\n{output}");
        }

        await pumps;
        Assert.True(process.ExitCode == 0, $"`{script}` in {workingDirectory} exited with {process.ExitCode}:\n{output}");
        return output.ToString();
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder output)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
