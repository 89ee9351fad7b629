using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WsGateway.IntegrationTests.Cluster;

/// <summary>
/// A real redis-server of the test's own, on 127.0.0.1 and a free port, without persistence. It can be stopped and
/// started again on the same port (an outage), and is stopped by the process id it started, never by name.
/// </summary>
/// <remarks>
/// When redis-server is not installed, <see cref="StartAsync()"/> throws and the test fails: the cluster tests are
/// never skipped. tests/run.sh installs it when run as root.
/// </remarks>
public sealed class RedisServer : IAsyncDisposable
{
    /// <summary>Overrides the redis-server binary; by default the one on the PATH (Debian's <c>redis-server</c> package).</summary>
    public const string ExecutableVariable = "WSGATEWAY_REDIS_SERVER";

    private static readonly TimeSpan PingPatience = Eventually.Patience;
    private readonly string _directory;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private RedisServer(int port)
    {
        Port = port;
        // Redis writes nothing with these settings; a folder of its own keeps it out of the test's working directory anyway.
        _directory = Directory.CreateTempSubdirectory("wsgateway-redis-").FullName;
    }

    public int Port { get; }

    /// <summary>What <c>Cluster:Redis</c> takes.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>True while the process this fixture started is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>What redis-server wrote so far (its own log, for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// A redis-server on a free port that answers PING. Another process can take the port between the check and
    /// redis-server's bind: then another port is tried, a few times.
    /// </summary>
    public static async Task<RedisServer> StartAsync()
    {
        var executable = Executable();
        List<string> failures = [];
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var server = new RedisServer(FreePort());
            if (await server.TryStartAsync(executable) is not { } problem)
            {
                return server;
            }

            failures.Add(problem);
            await server.DisposeAsync();
        }

        throw new InvalidOperationException("redis-server did not start on any of 5 free ports:\n" + string.Join("\n---\n", failures));
    }

    /// <summary>A fixture for a port where nothing listens yet (Redis unreachable at startup); start it later with <see cref="StartOnItsPortAsync"/>.</summary>
    public static RedisServer NotStarted()
    {
        Executable();
        return new(FreePort());
    }

    /// <summary>Starts redis-server (again) on <see cref="Port"/> and waits for PING to answer.</summary>
    public async Task StartOnItsPortAsync()
    {
        var executable = Executable();
        // The port was ours a moment ago; a race for it is unlikely, but a failed bind gets a second chance.
        string? problem = null;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            problem = await TryStartAsync(executable);
            if (problem is null)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new InvalidOperationException($"redis-server did not start again on port {Port}:\n{problem}");
    }

    /// <summary>Kills the process this fixture started (SIGKILL: an outage, not a clean shutdown) and waits for it to end.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: false);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            process.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <returns>Null once redis-server answers PING; otherwise why it did not (the process has been stopped).</returns>
    private async Task<string?> TryStartAsync(string executable)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"redis-server is already running on port {Port}.");
        }

        lock (_output)
        {
            _output.Clear();
        }

        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", _directory,
            "--daemonize", "no",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow + PingPatience;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                break;
            }

            if (await AnswersPingAsync(Port))
            {
                return null;
            }

            await Task.Delay(50);
        }

        var exited = process.HasExited ? $"exited with {process.ExitCode}" : $"did not answer PING within {PingPatience.TotalSeconds} s";
        await StopAsync();
        return $"redis-server on port {Port} {exited}; its output:\n{Output}";
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>Sends PING over a raw socket; true on <c>+PONG</c>.</summary>
    public static async Task<bool> AnswersPingAsync(int port)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
            await socket.SendAsync("PING\r\n"u8.ToArray(), SocketFlags.None, timeout.Token);
            var reply = new byte[64];
            int read = 0;
            while (read < 7)
            {
                int n = await socket.ReceiveAsync(reply.AsMemory(read), SocketFlags.None, timeout.Token);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return Encoding.ASCII.GetString(reply, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>A port nothing listens on at the moment (the system's choice for a socket bound to port 0).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// redis-server from <see cref="ExecutableVariable"/>, else on the PATH (or in /usr/bin, /usr/sbin); throws,
    /// failing the test, when it is missing.
    /// </summary>
    private static string Executable()
    {
        if (Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : throw new InvalidOperationException(
                $"{ExecutableVariable} names {configured}, which does not exist. " + InstallHint);
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        var candidates = path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/usr/sbin", "/usr/local/bin"])
            .Select(folder => Path.Combine(folder, "redis-server"));
        return candidates.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException(
            "redis-server is not installed, and the cluster tests need a real Redis. " + InstallHint);
    }

    private const string InstallHint =
        "Install it (Debian: apt-get install -y redis-server; tests/run.sh does this when run as root) and run the tests again.";
}
