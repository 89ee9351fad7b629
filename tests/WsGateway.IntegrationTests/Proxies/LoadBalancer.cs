using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using WsGateway.IntegrationTests.Cluster;

namespace WsGateway.IntegrationTests.Proxies;

/// <summary>
/// A real nginx or HAProxy from Debian, in front of test gateways: a child process in the foreground on a free port,
/// with every file in a temporary folder, stopped by the process id it started (never by name). Each runs as one
/// process (nginx with <c>master_process off</c>, HAProxy with <c>-db</c>), so stopping it leaves nothing behind.
/// </summary>
public sealed class LoadBalancer : IAsyncDisposable
{
    private static readonly TimeSpan StartPatience = Eventually.Patience;
    private readonly string _directory;
    private readonly StringBuilder _output = new();
    private readonly Process _process;

    private LoadBalancer(string directory, Process process, int port)
    {
        _directory = directory;
        _process = process;
        Port = port;
    }

    public int Port { get; }

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
    /// nginx with the README's snippet: its <c>listen 80</c> becomes a free port and its gateway ports the given ones;
    /// around it only what running in the foreground from a temporary folder needs (pid file, logs, temp paths).
    /// </summary>
    public static Task<LoadBalancer> StartNginxAsync(string snippet, IReadOnlyList<int> gatewayPorts) =>
        StartAsync("nginx", gatewayPorts, (directory, port) =>
        {
            var config = Retarget(snippet, gatewayPorts).Replace("listen 80;", $"listen 127.0.0.1:{port};", StringComparison.Ordinal);
            Assert.Contains($"listen 127.0.0.1:{port};", config, StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(directory, "nginx.conf"), $$"""
                master_process off;
                pid {{directory}}/nginx.pid;
                error_log stderr warn;
                events { worker_connections 512; }
                http {
                    access_log off;
                    client_body_temp_path {{directory}}/client_body;
                    proxy_temp_path {{directory}}/proxy;
                    fastcgi_temp_path {{directory}}/fastcgi;
                    uwsgi_temp_path {{directory}}/uwsgi;
                    scgi_temp_path {{directory}}/scgi;
                {{config}}
                }
                """);
            return ["-c", Path.Combine(directory, "nginx.conf"), "-p", directory, "-g", "daemon off;"];
        });

    /// <summary>
    /// HAProxy with the README's snippet: its <c>bind :80</c> becomes a free port on 127.0.0.1 and its gateway ports
    /// the given ones; before it only the defaults every configuration needs (timeouts for connect and server).
    /// </summary>
    public static Task<LoadBalancer> StartHaproxyAsync(string snippet, IReadOnlyList<int> gatewayPorts) =>
        StartAsync("haproxy", gatewayPorts, (directory, port) =>
        {
            var config = Retarget(snippet, gatewayPorts).Replace("bind :80", $"bind 127.0.0.1:{port}", StringComparison.Ordinal);
            Assert.Contains($"bind 127.0.0.1:{port}", config, StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(directory, "haproxy.cfg"), $"""
                defaults
                    timeout connect 5s
                    timeout client 1h
                    timeout server 1h
                    timeout check 5s

                {config}
                """);
            return ["-f", Path.Combine(directory, "haproxy.cfg"), "-db"];
        });

    /// <summary>Stops the process this fixture started (by its id) and waits for it to end.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string Retarget(string snippet, IReadOnlyList<int> gatewayPorts)
    {
        var ports = ReadmeProxySnippets.GatewayPorts;
        Assert.Equal(ports.Length, gatewayPorts.Count);
        for (int i = 0; i < ports.Length; i++)
        {
            var from = $"127.0.0.1:{ports[i]}";
            Assert.Contains(from, snippet, StringComparison.Ordinal);
            snippet = snippet.Replace(from, $"127.0.0.1:{gatewayPorts[i].ToString(CultureInfo.InvariantCulture)}", StringComparison.Ordinal);
        }

        return snippet;
    }

    /// <summary>Starts the program on a free port; another port when the bind races with another process.</summary>
    private static async Task<LoadBalancer> StartAsync(string program, IReadOnlyList<int> gatewayPorts, Func<string, int, string[]> configure)
    {
        var executable = Executable(program);
        List<string> failures = [];
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var directory = Directory.CreateTempSubdirectory($"wsgateway-{program}-").FullName;
            int port = RedisServer.FreePort();
            var start = new ProcessStartInfo(executable)
            {
                WorkingDirectory = directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in configure(directory, port))
            {
                start.ArgumentList.Add(argument);
            }

            var process = new Process { StartInfo = start };
            var balancer = new LoadBalancer(directory, process, port);
            process.OutputDataReceived += (_, e) => balancer.Keep(e.Data);
            process.ErrorDataReceived += (_, e) => balancer.Keep(e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (await balancer.ServesAsync())
            {
                return balancer;
            }

            failures.Add($"{program} on port {port}: {(process.HasExited ? $"exited with {process.ExitCode}" : "did not serve /healthz")}\n{balancer.Output}");
            await balancer.DisposeAsync();
        }

        throw new InvalidOperationException($"{program} did not start:\n" + string.Join("\n---\n", failures));
    }

    /// <summary>Polls <c>/healthz</c> through the proxy until a gateway answers (HAProxy's first checks included).</summary>
    private async Task<bool> ServesAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + StartPatience;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{Port}/healthz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or SocketException)
            {
            }

            await Task.Delay(50);
        }

        return false;
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

    private static string Executable(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/usr/local/sbin"])
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException(
                $"{program} is not installed, and the proxy tests need the real one. Install it (Debian: apt-get install -y nginx haproxy; " +
                "tests/run.sh does this when run as root) and run the tests again.");
    }
}
