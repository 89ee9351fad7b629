using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace WsGateway.Benchmark;

/// <summary>
/// The idle mode: what holding many idle WebSocket connections costs a server. Opens and closes a few connections
/// to warm the server up, reads its resident memory, has child processes open the connections (one process may hold
/// only about 19,900 sockets here) while it reads the server's CPU time, waits, reads the memory again, and closes
/// everything. Nothing is forced on the server (no GC, no trimming): the figures are what it holds by itself.
/// </summary>
internal static class IdleGenerator
{
    public static async Task<RunResult> RunAsync(IdleOptions options)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.TimeoutSeconds));
        var errors = new ErrorTally();
        var settle = TimeSpan.FromSeconds(options.SettleSeconds);
        var warmup = await IdleConnections.OpenAsync(options.Url, 0, options.WarmupConnections, stop.Token, options.Deflate);
        await warmup.CloseAsync(TimeSpan.FromSeconds(10));
        if (warmup.FirstError is not null)
        {
            errors.Add(new BenchmarkException($"warm-up: {warmup.FirstError}"));
            return Summarize(options, errors, null, null, null, null, null);
        }

        await Task.Delay(settle, stop.Token);
        long? rssBefore = ResidentBytes(options.ServerPid);

        var children = new List<Process>();
        try
        {
            for (int i = 0; i < options.Processes; i++)
            {
                int first = i * options.PerProcess;
                children.Add(StartChild(options, first, Math.Min(options.PerProcess, options.Connections - first)));
            }

            foreach (var child in children)
            {
                await ExpectAsync(child, "ready", stop.Token);
            }

            // The connecting phase: from "connect" to the last child's "connected".
            double? serverBefore = options.ServerPid is { } pid ? ProcessCpu.Seconds(pid) : null;
            double clientBefore = children.Sum(c => ProcessCpu.Seconds(c.Id) ?? 0);
            long started = Stopwatch.GetTimestamp();
            foreach (var child in children)
            {
                await child.StandardInput.WriteLineAsync("connect");
                await child.StandardInput.FlushAsync(stop.Token);
            }

            long open = 0;
            foreach (var child in children)
            {
                var fields = (await ExpectAsync(child, "connected", stop.Token)).Split(' ', 4);
                open += long.Parse(fields[1], CultureInfo.InvariantCulture);
                long failed = long.Parse(fields[2], CultureInfo.InvariantCulture);
                for (long f = 0; f < failed; f++)
                {
                    errors.Add(new BenchmarkException(fields.Length > 3 ? fields[3] : "connection failed"));
                }
            }

            double connectSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            double? serverAfter = options.ServerPid is { } pid2 ? ProcessCpu.Seconds(pid2) : null;
            double clientCpu = (children.Sum(c => ProcessCpu.Seconds(c.Id) ?? 0) - clientBefore) / connectSeconds;

            await Task.Delay(settle, stop.Token);
            long? rssOpen = ResidentBytes(options.ServerPid);

            foreach (var child in children)
            {
                await child.StandardInput.WriteLineAsync("close");
                await child.StandardInput.FlushAsync(stop.Token);
            }

            foreach (var child in children)
            {
                int disturbed = int.Parse((await ExpectAsync(child, "closed", stop.Token)).Split(' ')[1], CultureInfo.InvariantCulture);
                for (int d = 0; d < disturbed; d++)
                {
                    errors.Add(new BenchmarkException("the server wrote to or closed an idle connection"));
                }

                await child.WaitForExitAsync(stop.Token);
            }

            double? serverCpu = serverAfter - serverBefore;
            return Summarize(options, errors, rssBefore, rssOpen, open, connectSeconds, serverCpu) with
            {
                ClientCpu = Math.Round(clientCpu, 3),
            };
        }
        catch (Exception ex) when (ex is OperationCanceledException or BenchmarkException or IOException or FormatException or IndexOutOfRangeException)
        {
            errors.Add(ex is OperationCanceledException ? new BenchmarkException($"did not finish within {options.TimeoutSeconds} s") : ex);
            return Summarize(options, errors, rssBefore, null, null, null, null);
        }
        finally
        {
            foreach (var child in children)
            {
                // Only the processes started here, by their own handle.
                if (!child.HasExited)
                {
                    child.Kill();
                }

                child.Dispose();
            }
        }
    }

    private static Process StartChild(IdleOptions options, int first, int count)
    {
        // The same program, the same way it was started (dotnet DLL, or the apphost); the child inherits core 1.
        string host = Environment.ProcessPath ?? throw new BenchmarkException("no process path");
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var arg in new[] { "idle-child", "--url", options.Url.ToString(), "--first", Inv(first), "--count", Inv(count), "--timeout", Inv(options.TimeoutSeconds), "--deflate", options.Deflate.ToString().ToLowerInvariant() })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new BenchmarkException("could not start a client process");
    }

    /// <returns>The child's next line, which must start with <paramref name="word"/>.</returns>
    private static async Task<string> ExpectAsync(Process child, string word, CancellationToken cancellationToken)
    {
        string? line = await child.StandardOutput.ReadLineAsync(cancellationToken);
        return line is not null && (line == word || line.StartsWith(word + " ", StringComparison.Ordinal))
            ? line
            : throw new BenchmarkException($"client process {child.Id}: expected \"{word}\", got \"{line ?? "(end)"}\"");
    }

    /// <summary>VmRSS from /proc/PID/status, in bytes.</summary>
    private static long? ResidentBytes(int? pid)
    {
        if (pid is null)
        {
            return null;
        }

        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static RunResult Summarize(
        IdleOptions options, ErrorTally errors, long? rssBefore, long? rssOpen, long? open, double? connectSeconds, double? serverCpu) => new()
    {
        Mode = "idle",
        Server = options.Server,
        Case = options.Case,
        Round = options.Round,
        Url = options.Url.ToString(),
        Connections = open is { } o ? (int)o : 0,
        Errors = errors.Count,
        FirstError = errors.First,
        ServerCpu = serverCpu is { } c && connectSeconds is { } s ? Math.Round(c / s, 3) : null,
        RssBeforeBytes = rssBefore,
        RssOpenBytes = rssOpen,
        RssPerConnectionBytes = rssOpen - rssBefore is { } grown && open is > 0 ? Math.Round((double)grown / open.Value, 1) : null,
        ConnectSeconds = connectSeconds is { } cs ? Math.Round(cs, 3) : null,
        ServerCpuUsPerHandshake = serverCpu is { } cpu && open is > 0 ? Math.Round(cpu * 1e6 / open.Value, 2) : null,
    };

    private static string Inv(double value) => value.ToString(CultureInfo.InvariantCulture);
}
