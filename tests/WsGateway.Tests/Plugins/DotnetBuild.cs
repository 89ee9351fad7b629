using System.Diagnostics;
using System.Text;

namespace WsGateway.Tests.Plugins;

/// <summary>Runs <c>dotnet build</c> on a plugin project, the way a developer rebuilding a plugin would.</summary>
internal static class DotnetBuild
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <param name="project">Project file, relative to the repository root.</param>
    /// <param name="deployDir">Becomes $(PluginDeployDir): the plugin lands in deployDir/&lt;Name&gt;/.</param>
    public static async Task RunAsync(string project, string deployDir, IReadOnlyDictionary<string, string> properties, bool restore)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("build");
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, project));
        start.ArgumentList.Add("-nologo");
        start.ArgumentList.Add("-v:q");
        // No MSBuild node outlives the test run.
        start.ArgumentList.Add("-nodeReuse:false");
        if (!restore)
        {
            start.ArgumentList.Add("--no-restore");
        }

        start.ArgumentList.Add($"-p:PluginDeployDir={deployDir.TrimEnd('/', '\\')}/");
        foreach (var (name, value) in properties)
        {
            start.ArgumentList.Add($"-p:{name}={value}");
        }

        // When the tests run under `dotnet test`, MSBuild's own variables point at that build; a nested build
        // must find its SDK by itself.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = new StringBuilder();
        var stdout = PumpAsync(process.StandardOutput, output);
        var stderr = PumpAsync(process.StandardError, output);
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet build {project} took more than {Timeout}:{Environment.NewLine}{output}");
        }

        await Task.WhenAll(stdout, stderr);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet build {project} failed ({process.ExitCode}):{Environment.NewLine}{output}");
        }
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
