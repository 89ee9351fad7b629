using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WsGateway.Benchmark.Soak;

/// <summary>
/// The soak mode: the real host under mixed traffic for a while, sampled every second, then left alone until it is
/// back at rest. Steps: start the host in a folder of its own; warm it up (each kind of request once) and read the
/// idle baseline; run the clients (<see cref="SoakClients"/>) for --seconds; let them finish, check and leave; read the
/// gateway until connections are 0 and threads and descriptors are back near the baseline (at most --settle seconds);
/// stop it. Writes samples.jsonl (one line a second), result.json and report.md into --out.
/// </summary>
internal static class SoakRun
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    // Threads and descriptors count as back when within this many of the baseline: the runtime keeps a thread or two
    // (timers, the thread pool's gate) that come and go by themselves.
    private const int RestSlack = 2;

    public static async Task<SoakResult> RunAsync(SoakOptions options)
    {
        Directory.CreateDirectory(options.OutDirectory);
        var started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        var stats = new SoakStats();
        var samples = new List<ServerSample>();
        using var http = new HttpClient();
        await using var samplesFile = new StreamWriter(Path.Combine(options.OutDirectory, "samples.jsonl"));

        Console.Error.WriteLine($"soak: starting the gateway in {options.OutDirectory}/gateway");
        await using var gateway = await SoakGateway.StartAsync(
            options.HostPath, Path.Combine(options.OutDirectory, "gateway"), ProbePlugin.Compile(0), CancellationToken.None);

        async Task<ServerSample> SampleAsync(string phase)
        {
            var sample = await ServerSample.ReadAsync(gateway.Pid, http, gateway.Url, phase, clock.Elapsed.TotalSeconds, CancellationToken.None)
                with { Replies = Interlocked.Read(ref stats.Replies), Errors = stats.Errors };
            lock (samples)
            {
                samples.Add(sample);
                samplesFile.WriteLine(JsonSerializer.Serialize(sample, Json));
            }

            return sample;
        }

        await WarmUpAsync(gateway.Url);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var baseline = await SampleAsync("idle");
        Console.Error.WriteLine($"soak: idle {Describe(baseline)}; load for {options.Seconds:0} s");

        var clients = new SoakClients(gateway.Url, options, stats);
        var reloads = new SoakReloads(gateway.Url, options, gateway, stats);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.Seconds));
        var loadStarted = clock.Elapsed;
        var running = Task.WhenAll(clients.RunAsync(stop.Token), reloads.RunAsync(stop.Token));
        ServerSample? early = null;
        ServerSample endOfLoad = baseline;
        for (int second = 1; !running.IsCompleted; second++)
        {
            await Task.WhenAny(running, Task.Delay(loadStarted + TimeSpan.FromSeconds(second) - clock.Elapsed is { Ticks: > 0 } wait ? wait : TimeSpan.Zero));
            var sample = await SampleAsync(stop.IsCancellationRequested ? "leaving" : "load");
            if (!stop.IsCancellationRequested)
            {
                endOfLoad = sample;
                if (early is null && clock.Elapsed - loadStarted >= TimeSpan.FromSeconds(options.Seconds / 4))
                {
                    early = sample;
                }

                if (second % 60 == 0)
                {
                    Console.Error.WriteLine($"soak: {second} s {Describe(sample)}; {stats.Replies:N0} replies, {stats.Errors} errors");
                }
            }

            if (gateway.HasExited)
            {
                stats.Error("the gateway exited during the load");
                break;
            }

            // Bounded: the clients stop at --seconds and each of their waits is bounded by SoakSocket.ReplyTimeout.
            if (clock.Elapsed - loadStarted > TimeSpan.FromSeconds(options.Seconds + 300))
            {
                stats.Error("the clients did not finish within 300 s of the end of the load");
                break;
            }
        }

        // After the clients left: one reading a second until the gateway is back at rest, or --settle passed.
        var left = clock.Elapsed;
        ServerSample after;
        do
        {
            await Task.Delay(1000);
            after = await SampleAsync("after");
        }
        while (!gateway.HasExited && clock.Elapsed - left < TimeSpan.FromSeconds(options.SettleSeconds)
               && !(clock.Elapsed - left >= TimeSpan.FromSeconds(5) && AtRest(after, baseline)));

        var during = samples.Where(s => s.Phase is "load" or "leaving").ToList();
        var latency = stats.MergedHistogram();
        var result = new SoakResult
        {
            Started = started.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            Seconds = options.Seconds,
            CommandConnections = options.CommandConnections,
            EchoConnections = options.EchoConnections,
            Churners = options.Churners,
            ChurnPerSecond = options.ChurnPerSecond,
            BroadcastsPerSecond = options.BroadcastsPerSecond,
            Baseline = baseline,
            EarlyLoad = early,
            EndOfLoad = endOfLoad,
            After = after,
            AfterSeconds = Math.Round((clock.Elapsed - left).TotalSeconds, 1),
            PeakRssBytes = during.Max(s => s.RssBytes),
            PeakThreads = during.Max(s => s.Threads),
            PeakFds = during.Max(s => s.Fds),
            PeakConnections = during.Max(s => s.ConnectionsOpen),
            Requests = stats.Requests,
            Replies = stats.Replies,
            CommandReplies = stats.CommandReplies,
            EnvelopeReplies = stats.EnvelopeReplies,
            EchoReplies = stats.EchoReplies,
            BroadcastsSent = stats.BroadcastsSent,
            BroadcastDeliveries = stats.BroadcastDeliveries,
            ChurnConnections = stats.ChurnConnections,
            ChurnClosed = stats.ChurnClosed,
            ChurnAborted = stats.ChurnAborted,
            ChurnAbortedInFlight = stats.ChurnAbortedInFlight,
            UnexpectedCloses = stats.UnexpectedCloses,
            Errors = stats.Errors,
            FirstErrors = stats.FirstErrors,
            PluginSwaps = reloads.PluginSwaps,
            ScriptEdits = reloads.ScriptEdits,
            PluginReloads = after.PluginReloads - baseline.PluginReloads,
            ScriptReloads = after.ScriptReloads - baseline.ScriptReloads,
            ReloadFailures = after.ReloadFailures - baseline.ReloadFailures,
            SlowestSwapToLiveMs = Math.Round(reloads.SlowestSwapToLive.TotalMilliseconds, 1),
            RepliesDuringSwaps = stats.RepliesDuringSwaps,
            WorstLatencyDuringSwapMs = Math.Round(stats.WorstLatencyDuringSwap.TotalMilliseconds, 1),
            WorstLatencyMs = Math.Round(stats.WorstLatency.TotalMilliseconds, 1),
            P50Ms = Math.Round(latency.ValueAt(0.5) / 1e6, 2),
            P99Ms = Math.Round(latency.ValueAt(0.99) / 1e6, 2),
            P999Ms = Math.Round(latency.ValueAt(0.999) / 1e6, 2),
        };

        await File.WriteAllTextAsync(Path.Combine(options.OutDirectory, "result.json"), JsonSerializer.Serialize(result, Json) + "\n");
        await File.WriteAllTextAsync(Path.Combine(options.OutDirectory, "report.md"), SoakReport.Render(result, samples));
        return result;
    }

    private static bool AtRest(ServerSample now, ServerSample baseline) =>
        now.ConnectionsOpen == 0
        && now.Threads <= baseline.Threads + RestSlack
        && now.Fds <= baseline.Fds + RestSlack;

    /// <summary>Opens and closes a few connections and asks each kind of request once: first-use costs (JIT, pools) before the baseline.</summary>
    private static async Task WarmUpAsync(Uri url)
    {
        for (int i = 0; i < 10; i++)
        {
            using var command = await SoakSocket.ConnectAsync(new Uri(url, "/"), CancellationToken.None);
            foreach (var request in (string[])["echo warm", "{\"id\":1,\"command\":\"echo\",\"args\":\"warm\"}", "probe", "tick", $"broadcast {SoakClients.BroadcastPrefix}0"])
            {
                await command.SendAsync(request);
                await command.ReceiveTextAsync();
            }

            await command.CloseAsync();
            using var echo = await SoakSocket.ConnectAsync(new Uri(url, "/echo"), CancellationToken.None);
            await echo.SendAsync("warm");
            await echo.ReceiveTextAsync();
            await echo.CloseAsync();
        }
    }

    public static string Describe(ServerSample s) => string.Create(CultureInfo.InvariantCulture,
        $"RSS {s.RssBytes / 1e6:N1} MB, {s.Threads} threads, {s.Fds} fds, {s.ConnectionsOpen} connections");
}
