using System.Diagnostics;
using System.Text.RegularExpressions;

namespace WsGateway.IntegrationTests.Host;

/// <summary>The real host executable, started the way an operator starts it, on a free port.</summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatewayProcess(Process process)
    {
        _process = process;
    }

    public int Port => _port.Task.Result;

    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    public Process Process => _process;

    /// <summary>Starts the host built next to the tests with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    public static Task<GatewayProcess> StartAsync(string workingDirectory, params string[] arguments) =>
        StartAsync(workingDirectory, new Dictionary<string, string>(), arguments);

    /// <summary>Starts the host with <paramref name="environment"/> added to the test's environment variables.</summary>
    public static Task<GatewayProcess> StartAsync(
        string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        StartAsync(StartInfo(workingDirectory, environment, arguments));

    /// <summary>Starts another build of the host (a published single file) as its own executable.</summary>
    public static Task<GatewayProcess> StartExecutableAsync(
        string executable, string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = StartInfo(workingDirectory, environment, arguments);
        start.FileName = executable;
        start.ArgumentList.RemoveAt(0);
        return StartAsync(start);
    }

    private static async Task<GatewayProcess> StartAsync(ProcessStartInfo start)
    {
        var gateway = new GatewayProcess(Process.Start(start)!);
        gateway._process.OutputDataReceived += (_, e) => gateway.Collect(e.Data);
        gateway._process.ErrorDataReceived += (_, e) => gateway.Collect(e.Data);
        gateway._process.BeginOutputReadLine();
        gateway._process.BeginErrorReadLine();
        _ = gateway._process.WaitForExitAsync().ContinueWith(_ => gateway._port.TrySetException(
            new InvalidOperationException("The gateway exited before listening:\n" + string.Join('\n', gateway.Output))), TaskScheduler.Default);
        await gateway._port.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return gateway;
    }

    /// <summary>Runs the host to completion (for configuration errors) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(string workingDirectory, params string[] arguments)
    {
        var (exitCode, stdout, stderr) = await RunToExitWithStreamsAsync(workingDirectory, arguments);
        return (exitCode, stdout + stderr);
    }

    /// <summary>Runs the host to completion and returns its exit code, standard output and standard error apart.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunToExitWithStreamsAsync(
        string workingDirectory, params string[] arguments)
    {
        var start = StartInfo(workingDirectory, new Dictionary<string, string>(), arguments);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>True once a line of output matches <paramref name="line"/>, false when <paramref name="within"/> passes first.</summary>
    public Task<bool> WaitForOutputAsync(Func<string, bool> line, TimeSpan within) =>
        Eventually.TrueAsync(() => Output.Any(line), within);

    /// <summary>Sends SIGTERM, as a service manager would.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        await _process.WaitForExitAsync().WaitAsync(within);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(
        string workingDirectory, IReadOnlyDictionary<string, string> environment, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "WsGateway.Host.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _port.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"Listening on wss?://[^:\s]+:(\d+)")]
    private static partial Regex ListeningLine();
}
