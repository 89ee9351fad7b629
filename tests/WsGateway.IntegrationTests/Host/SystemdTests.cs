using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using WsGateway.Host;

namespace WsGateway.IntegrationTests.Host;

/// <summary>
/// The readiness protocol of deploy/wsgateway.service (<c>Type=notify</c>, <c>WatchdogSec</c>) against a real
/// <c>NOTIFY_SOCKET</c>: a datagram socket the test binds, as systemd does, and the real host process.
/// </summary>
public sealed partial class SystemdTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wsgateway-systemd-").FullName;

    public SystemdTests()
    {
        File.WriteAllText(Path.Combine(_folder, "gateway.json"), """
            {
              "Listen": { "Address": "127.0.0.1", "Port": 12345 },
              "Plugins": { "Directory": "plugins" },
              "Scripts": { "Directory": "scripts" },
              "Shutdown": { "DrainSeconds": 2 }
            }
            """);
        Directory.CreateDirectory(Path.Combine(_folder, "scripts"));
        File.Copy(Path.Combine(BuildPaths.SampleScripts, "time.csx"), Path.Combine(_folder, "scripts", "time.csx"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Ready_comes_once_readyz_is_ready_watchdog_ticks_repeat_and_sigterm_sends_stopping()
    {
        using var manager = new NotifySocket(Path.Combine(_folder, "notify.sock"));
        using var http = new HttpClient();
        // Probed the moment READY=1 arrives, before the test does anything else: sent too early, /readyz would say
        // "starting" (plugins and scripts still loading) or the port would refuse.
        var readyzAtReady = manager.OnFirst("READY=1", async message =>
        {
            var port = StatusPort().Match(message).Groups[1].Value;
            return await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/readyz"));
        });

        await using var gateway = await GatewayProcess.StartAsync(_folder, new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = manager.Path,
            ["WATCHDOG_USEC"] = "400000",
        }, "--port", "0");

        Assert.Equal("ready\n", await readyzAtReady.WaitAsync(Eventually.Patience));
        Assert.Contains($"STATUS=Listening on port {gateway.Port}", manager.Messages.First(m => m.Contains("READY=1", StringComparison.Ordinal)));
        Assert.True(await Eventually.TrueAsync(() => manager.Count("WATCHDOG=1") >= 3, Eventually.Patience));
        Assert.DoesNotContain(manager.Messages, m => m.Contains("STOPPING=1", StringComparison.Ordinal));

        gateway.Terminate();
        Assert.True(await Eventually.TrueAsync(() => manager.Count("STOPPING=1") == 1, Eventually.Patience));
        Assert.Equal(0, await gateway.WaitForExitAsync(Eventually.Patience));
        var states = manager.Messages.Select(m => m.Split('\n')[0]).Where(m => m != "WATCHDOG=1").ToList();
        Assert.Equal(["READY=1", "STOPPING=1"], states);
    }

    [Fact]
    public void Notifier_reaches_a_socket_in_the_abstract_namespace()
    {
        var name = $"wsgateway-test-{Guid.NewGuid():N}";
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
        using var notifier = SystemdNotifier.FromVariables(v => v == "NOTIFY_SOCKET" ? "@" + name : null, Environment.ProcessId);

        notifier!.Notify("READY=1");

        socket.ReceiveTimeout = 10_000;
        var buffer = new byte[256];
        Assert.Equal("READY=1", Encoding.UTF8.GetString(buffer, 0, socket.Receive(buffer)));
        Assert.Null(notifier.WatchdogInterval);
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("30000000", null, 15_000)]
    [InlineData("30000000", "self", 15_000)]
    [InlineData("30000000", "1", null)] // WATCHDOG_PID names another process: not this one's to feed
    [InlineData("0", null, null)]
    [InlineData("soon", null, null)]
    public void Watchdog_interval_is_half_of_WATCHDOG_USEC_for_this_process_only(string? usec, string? pid, int? expectedMs)
    {
        const int self = 4242;
        var variables = new Dictionary<string, string?>
        {
            ["NOTIFY_SOCKET"] = "/run/systemd/notify",
            ["WATCHDOG_USEC"] = usec,
            ["WATCHDOG_PID"] = pid == "self" ? self.ToString(System.Globalization.CultureInfo.InvariantCulture) : pid,
        };
        using var notifier = SystemdNotifier.FromVariables(v => variables.GetValueOrDefault(v), self);

        Assert.Equal(expectedMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null, notifier!.WatchdogInterval);
    }

    [Fact]
    public void Outside_systemd_nothing_is_sent()
    {
        Assert.Null(SystemdNotifier.FromVariables(_ => null, Environment.ProcessId));
        Assert.Null(SystemdNotifier.FromVariables(v => v == "NOTIFY_SOCKET" ? "" : null, Environment.ProcessId));
    }

    [Fact]
    public async Task Unit_file_passes_systemd_analyze_verify_without_a_warning()
    {
        // tests/run.sh installs Debian's systemd package for it when run as root; never skipped.
        Assert.True(
            (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Any(folder => File.Exists(Path.Combine(folder, "systemd-analyze"))),
            "systemd-analyze is not installed: apt-get install -y systemd (tests/run.sh does it as root)");

        // verify checks that ExecStart's binary exists and is executable: install a stand-in where the unit looks.
        var install = Path.Combine(_folder, "opt");
        Directory.CreateDirectory(install);
        File.Copy("/bin/true", Path.Combine(install, "wsgateway"));
        var unit = File.ReadAllText(Path.Combine(BuildPaths.RepoRoot, "deploy", "wsgateway.service"));
        Assert.Contains("ExecStart=/opt/wsgateway/wsgateway", unit);
        var copy = Path.Combine(_folder, "wsgateway.service");
        File.WriteAllText(copy, unit.Replace("/opt/wsgateway", install, StringComparison.Ordinal));

        var start = new ProcessStartInfo("systemd-analyze", ["verify", copy])
        {
            WorkingDirectory = _folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        // An unknown key or a bad value is only a warning (exit code 0): any output at all fails the test.
        Assert.Equal("", (await stdout + await stderr).Trim());
        Assert.Equal(0, process.ExitCode);
    }

    [GeneratedRegex(@"STATUS=Listening on port (\d+)")]
    private static partial Regex StatusPort();

    /// <summary>What systemd listens on: a datagram socket at a path, each datagram one notification.</summary>
    private sealed class NotifySocket : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        private readonly List<string> _messages = [];
        private readonly Channel<string> _arrivals = Channel.CreateUnbounded<string>();

        public NotifySocket(string path)
        {
            Path = path;
            _socket.Bind(new UnixDomainSocketEndPoint(path));
            _ = ReceiveAsync();
        }

        public string Path { get; }

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public int Count(string state) => Messages.Count(m => m.Split('\n').Contains(state));

        /// <summary>Runs <paramref name="react"/> on the first message with <paramref name="state"/>, as it arrives.</summary>
        public async Task<T> OnFirst<T>(string state, Func<string, Task<T>> react)
        {
            await foreach (var message in _arrivals.Reader.ReadAllAsync())
            {
                if (message.Split('\n').Contains(state))
                {
                    return await react(message);
                }
            }

            throw new InvalidOperationException($"The socket closed before {state} arrived.");
        }

        public void Dispose()
        {
            _socket.Dispose();
            _arrivals.Writer.TryComplete();
            File.Delete(Path);
        }

        private async Task ReceiveAsync()
        {
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    var length = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                    var message = Encoding.UTF8.GetString(buffer, 0, length);
                    lock (_messages)
                    {
                        _messages.Add(message);
                    }

                    _arrivals.Writer.TryWrite(message);
                }
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
            {
                // Disposed by the test.
            }
        }
    }
}
