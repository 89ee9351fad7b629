using System.Globalization;
using System.Text;

namespace WsGateway.Benchmark.Soak;

/// <summary>report.md of a soak: the resource timeline in a few rows, the traffic, the reloads and the errors.</summary>
internal static class SoakReport
{
    private const int TimelineRows = 20;

    public static string Render(SoakResult r, IReadOnlyList<ServerSample> samples)
    {
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine(inv, $"# Soak, {r.Started}: {r.Seconds:0} s");
        md.AppendLine();
        md.AppendLine(inv, $"{r.CommandConnections} command connections and {r.EchoConnections} /echo connections, one request in flight each; " +
            $"{r.BroadcastsPerSecond:0.#} broadcasts/s; {r.Churners} churners opening {r.ChurnPerSecond:0.#} connections/s; " +
            $"a plugin swap and a script edit every few seconds (see result.json).");
        md.AppendLine();
        md.AppendLine("## Resources");
        md.AppendLine();
        md.AppendLine("| | idle before | ¼ into the load | end of the load | peak during the load | after the clients left |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        md.AppendLine(inv, $"| RSS, MB | {Mb(r.Baseline?.RssBytes)} | {Mb(r.EarlyLoad?.RssBytes)} | {Mb(r.EndOfLoad?.RssBytes)} | {Mb(r.PeakRssBytes)} | {Mb(r.After?.RssBytes)} |");
        md.AppendLine(inv, $"| threads | {r.Baseline?.Threads} | {r.EarlyLoad?.Threads} | {r.EndOfLoad?.Threads} | {r.PeakThreads} | {r.After?.Threads} |");
        md.AppendLine(inv, $"| file descriptors | {r.Baseline?.Fds} | {r.EarlyLoad?.Fds} | {r.EndOfLoad?.Fds} | {r.PeakFds} | {r.After?.Fds} |");
        md.AppendLine(inv, $"| open connections | {r.Baseline?.ConnectionsOpen} | {r.EarlyLoad?.ConnectionsOpen} | {r.EndOfLoad?.ConnectionsOpen} | {r.PeakConnections} | {r.After?.ConnectionsOpen} |");
        md.AppendLine();
        md.AppendLine(inv, $"\"After\" was read {r.AfterSeconds:0.#} s after the clients left.");
        md.AppendLine();
        md.AppendLine("## Traffic");
        md.AppendLine();
        md.AppendLine("| | |");
        md.AppendLine("|---|---:|");
        md.AppendLine(inv, $"| requests / checked replies | {r.Requests:N0} / {r.Replies:N0} |");
        md.AppendLine(inv, $"| plain commands / JSON envelopes / echoes | {r.CommandReplies:N0} / {r.EnvelopeReplies:N0} / {r.EchoReplies:N0} |");
        md.AppendLine(inv, $"| broadcasts / deliveries to the persistent connections | {r.BroadcastsSent:N0} / {r.BroadcastDeliveries:N0} |");
        md.AppendLine(inv, $"| churned connections: closed / aborted (of which with a request unanswered) | {r.ChurnConnections:N0}: {r.ChurnClosed:N0} / {r.ChurnAborted:N0} ({r.ChurnAbortedInFlight:N0}) |");
        md.AppendLine(inv, $"| reply latency p50 / p99 / p99.9 / worst, ms | {r.P50Ms:N2} / {r.P99Ms:N2} / {r.P999Ms:N2} / {r.WorstLatencyMs:N1} |");
        md.AppendLine(inv, $"| plugin swaps / script edits (the gateway counted {r.PluginReloads} / {r.ScriptReloads} reloads, {r.ReloadFailures} failed) | {r.PluginSwaps} / {r.ScriptEdits} |");
        md.AppendLine(inv, $"| slowest change until its new version answered, ms | {r.SlowestSwapToLiveMs:N0} |");
        md.AppendLine(inv, $"| replies during a swap / the worst of their latencies, ms | {r.RepliesDuringSwaps:N0} / {r.WorstLatencyDuringSwapMs:N1} |");
        md.AppendLine(inv, $"| connections dropped by the server unexpectedly | {r.UnexpectedCloses} |");
        md.AppendLine(inv, $"| **errors** (wrong, missing or extra replies, drops) | **{r.Errors}** |");
        foreach (var error in r.FirstErrors)
        {
            md.AppendLine(inv, $"- {error}");
        }

        md.AppendLine();
        md.AppendLine("## Timeline");
        md.AppendLine();
        md.AppendLine("Every sample is in samples.jsonl (one a second); here evenly spaced ones.");
        md.AppendLine();
        md.AppendLine("| s | phase | RSS, MB | threads | fds | connections | replies |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---:|");
        int step = Math.Max(1, samples.Count / TimelineRows);
        for (int i = 0; i < samples.Count; i++)
        {
            if (i % step == 0 || i == samples.Count - 1 || samples[i].Phase != samples[Math.Max(0, i - 1)].Phase)
            {
                var s = samples[i];
                md.AppendLine(inv, $"| {s.T:0} | {s.Phase} | {Mb(s.RssBytes)} | {s.Threads} | {s.Fds} | {s.ConnectionsOpen} | {s.Replies:N0} |");
            }
        }

        return md.ToString();
    }

    public static string Summary(SoakResult r) => string.Create(CultureInfo.InvariantCulture,
        $"soak {r.Seconds:0} s: {r.Replies:N0} replies, {r.Errors} errors, {r.UnexpectedCloses} dropped; {r.ChurnConnections:N0} churned connections; " +
        $"{r.PluginSwaps} plugin swaps, {r.ScriptEdits} script edits, worst reply during a swap {r.WorstLatencyDuringSwapMs:N0} ms (worst overall {r.WorstLatencyMs:N0} ms); " +
        $"RSS idle {Mb(r.Baseline?.RssBytes)} → end of load {Mb(r.EndOfLoad?.RssBytes)} (peak {Mb(r.PeakRssBytes)}) → after {Mb(r.After?.RssBytes)} MB; " +
        $"threads {r.Baseline?.Threads} → {r.PeakThreads} → {r.After?.Threads}; fds {r.Baseline?.Fds} → {r.PeakFds} → {r.After?.Fds}; " +
        $"connections after {r.After?.ConnectionsOpen}");

    private static string Mb(long? bytes) => bytes is { } b ? (b / 1e6).ToString("N1", CultureInfo.InvariantCulture) : "?";
}
