using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace WsGateway.Benchmark.Soak;

/// <summary>
/// The real host, started as an operator starts it, in a folder of the soak's own: its configuration, its plugins
/// folder and its scripts folder are there, so swapping a plugin or editing a script never touches a folder that a
/// running gateway of the user's watches. Stopped by the process id started here, and only that.
/// </summary>
internal sealed partial class SoakGateway : IAsyncDisposable
{
    public const string ProbeName = "Probe";
    public const string TickScript = "tick.csx";

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SoakGateway(Process process, StreamWriter log, string root)
    {
        _process = process;
        _log = log;
        Root = root;
    }

    public string Root { get; }

    public int Pid => _process.Id;

    public Uri Url => _listening.Task.Result;

    public string PluginPath => Path.Combine(Root, "plugins", ProbeName, ProbeName + ".dll");

    public string TickPath => Path.Combine(Root, "scripts", TickScript);

    public bool HasExited => _process.HasExited;

    /// <summary>Writes the gateway's folder under <paramref name="root"/>, starts the host and waits for its listening line.</summary>
    public static async Task<SoakGateway> StartAsync(string hostPath, string root, byte[] plugin, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(root, "plugins", ProbeName));
        Directory.CreateDirectory(Path.Combine(root, "scripts"));
        await File.WriteAllTextAsync(Path.Combine(root, "gateway.json"), Configuration(), cancellationToken);
        await File.WriteAllBytesAsync(Path.Combine(root, "plugins", ProbeName, ProbeName + ".dll"), plugin, cancellationToken);
        // The repository's sample scripts, as they are there: the soak's own copies, so it never writes into scripts/.
        await File.WriteAllTextAsync(Path.Combine(root, "scripts", "echo.csx"),
            "// description: Repeats its arguments: echo <text>\nArgs.Length == 0 ? \"usage: echo <text>\" : Args\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(root, "scripts", "broadcast.csx"),
            "// description: Sends its text to every session on a command route, yours included: broadcast <text>\n" +
            "if (Args.Length == 0)\n{\n    return \"usage: broadcast <text>\";\n}\n\nawait BroadcastAsync(Args);\nreturn null;\n", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(root, "scripts", TickScript), TickSource(0), cancellationToken);

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { hostPath, "--config", "gateway.json", "--port", "0" })
        {
            start.ArgumentList.Add(arg);
        }

        var log = new StreamWriter(Path.Combine(root, "gateway.log")) { AutoFlush = true };
        var gateway = new SoakGateway(Process.Start(start) ?? throw new BenchmarkException("could not start the gateway"), log, root);
        gateway._process.OutputDataReceived += (_, e) => gateway.Collect(e.Data);
        gateway._process.ErrorDataReceived += (_, e) => gateway.Collect(e.Data);
        gateway._process.BeginOutputReadLine();
        gateway._process.BeginErrorReadLine();
        _ = gateway._process.WaitForExitAsync(CancellationToken.None).ContinueWith(
            _ => gateway._listening.TrySetException(new BenchmarkException($"the gateway exited before listening; see {root}/gateway.log")),
            TaskScheduler.Default);
        try
        {
            await gateway._listening.Task.WaitAsync(TimeSpan.FromSeconds(120), cancellationToken);
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }

        return gateway;
    }

    public static string TickSource(int version) => $"// description: answers with its version\n\"tick v{version}\"\n";

    /// <summary>SIGTERM (the gateway drains and exits), then SIGKILL after 30 s; only the process started here.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }

        // Let the output readers reach the end before the log closes.
        _process.WaitForExit();
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.BaseStream.CanWrite)
            {
                _log.WriteLine(line);
            }
        }

        var match = ListeningLine().Match(line);
        if (match.Success)
        {
            _listening.TrySetResult(new Uri($"ws://127.0.0.1:{match.Groups[1].Value}"));
        }
    }

    /// <summary>
    /// No caps or timeouts that a soak would trip over (as gateway.benchmark.json) and fast reloads. Information is
    /// logged (every reload says so), which costs nothing per connection: opening and closing one logs nothing.
    /// </summary>
    private static string Configuration() => JsonSerializer.Serialize(new
    {
        Listen = new { Address = "127.0.0.1", Port = 0 },
        Limits = new { MaxConnections = 0, MaxConnectionsPerIp = 0, IdleTimeoutSeconds = 0, KeepAliveSeconds = 0 },
        Echo = new { Paths = new[] { "/echo" } },
        Commands = new { Paths = new[] { "/" }, MessagesPerSecond = 0 },
        Plugins = new { Directory = "plugins", DebounceMilliseconds = 100 },
        Scripts = new { Directory = "scripts", DebounceMilliseconds = 100 },
        Serilog = new
        {
            MinimumLevel = new { Default = "Information" },
            WriteTo = new[] { new { Name = "Console", Args = new { outputTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}" } } },
        },
    }, new JsonSerializerOptions { WriteIndented = true });

    [GeneratedRegex(@"Listening on ws://[^:\s]+:(\d+)")]
    private static partial Regex ListeningLine();
}
