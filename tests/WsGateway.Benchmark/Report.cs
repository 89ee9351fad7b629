using System.Globalization;
using System.Text;
using System.Text.Json;

namespace WsGateway.Benchmark;

/// <summary>
/// Turns the JSON lines of a run.sh session into markdown: per case, the median over rounds of each server's figures
/// and of the per-round ratios (the servers ran back to back within a round, so a ratio cancels most of the drift
/// between rounds), then every round as measured.
/// </summary>
internal static class Report
{
    // The first server of a case present in this list is the subject; the others are what it is compared with.
    private static readonly string[] ServerOrder = ["wsgateway", "wsgateway-command", "wsgateway-echo", "kestrel", "node-ws", "tcp", "tcp-dotnet"];

    private static readonly Dictionary<string, string> ServerNames = new(StringComparer.Ordinal)
    {
        ["wsgateway"] = "WsGateway",
        ["wsgateway-command"] = "WsGateway `/` command",
        ["wsgateway-echo"] = "WsGateway `/echo`",
        ["kestrel"] = "Kestrel",
        ["node-ws"] = "node ws",
        ["tcp"] = "TCP echo (node)",
        ["tcp-dotnet"] = "TCP echo (.NET)",
    };

    public static string Render(IReadOnlyList<RunResult> results)
    {
        var md = new StringBuilder();
        var cases = results.Select(r => r.Case).Distinct().ToList();
        int rounds = results.Select(r => r.Round).Distinct().Count();

        md.AppendLine(Inv($"### Throughput, median of {rounds} round(s)"));
        md.AppendLine();
        md.AppendLine("Messages per second (each message is one request and its echo); server CPU is the server's user + system time");
        md.AppendLine("during the measured seconds (1.00 = all of core 0). A ratio is the median of the per-round ratios.");
        md.AppendLine();
        foreach (var name in cases)
        {
            var runs = results.Where(r => r.Case == name).ToList();
            var servers = Servers(runs);
            string subject = servers[0];
            md.AppendLine(Inv($"**{name}**: {Describe(runs[0])}"));
            md.AppendLine();
            md.Append("| | ").AppendJoin(" | ", servers.Select(Display)).AppendLine(" |");
            md.Append("|---|").AppendJoin("", servers.Select(_ => "---:|")).AppendLine();
            Row(md, "msg/s", servers, s => Median(runs, s, r => r.MessagesPerSecond), "N0");
            Row(md, "MB/s", servers, s => Median(runs, s, r => r.MegabytesPerSecond), "N1");
            Row(md, "p50 µs", servers, s => Median(runs, s, r => r.P50Us), "N0");
            Row(md, "p99 µs", servers, s => Median(runs, s, r => r.P99Us), "N0");
            Row(md, "p99.9 µs", servers, s => Median(runs, s, r => r.P999Us), "N0");
            Row(md, "server CPU µs/msg", servers, s => Median(runs, s, r => r.ServerCpuUsPerMessage ?? double.NaN), "N2");
            Row(md, "server CPU (cores)", servers, s => Median(runs, s, r => r.ServerCpu ?? double.NaN), "N2");
            Row(md, "client CPU (cores)", servers, s => Median(runs, s, r => r.ClientCpu), "N2");
            Row(md, "errors (all rounds)", servers, s => runs.Where(r => r.Server == s).Sum(r => r.Errors), "N0");
            md.Append(Inv($"| **msg/s {Display(subject)} / x** |"));
            foreach (var other in servers)
            {
                md.Append(other == subject ? " |" : Inv($" **{MedianRatio(runs, subject, other, r => r.MessagesPerSecond):0.00}** |"));
            }

            md.AppendLine();
            md.Append(Inv($"| CPU/msg {Display(subject)} / x |"));
            foreach (var other in servers)
            {
                md.Append(other == subject ? " |" : Inv($" {MedianRatio(runs, subject, other, r => r.ServerCpuUsPerMessage ?? double.NaN):0.00} |"));
            }

            md.AppendLine();
            md.AppendLine();
        }

        md.AppendLine("### Every round (msg/s, in the order the servers ran)");
        md.AppendLine();
        foreach (var name in cases)
        {
            var runs = results.Where(r => r.Case == name).ToList();
            var servers = Servers(runs);
            string subject = servers[0];
            md.AppendLine(Inv($"**{name}**"));
            md.AppendLine();
            md.Append("| round | order | ").AppendJoin(" | ", servers.Select(Display));
            md.Append(" | ").AppendJoin(" | ", servers.Skip(1).Select(o => Inv($"{Display(subject)} / {Display(o)}"))).AppendLine(" |");
            md.Append("|---:|---|").AppendJoin("", servers.Select(_ => "---:|")).AppendJoin("", servers.Skip(1).Select(_ => "---:|")).AppendLine();
            foreach (var round in runs.Select(r => r.Round).Distinct().Order())
            {
                var inRound = runs.Where(r => r.Round == round).ToList();
                md.Append(Inv($"| {round} | ")).AppendJoin(" → ", inRound.Select(r => r.Server)).Append(" |");
                foreach (var server in servers)
                {
                    var run = inRound.FirstOrDefault(r => r.Server == server);
                    md.Append(run is null ? " – |" : Inv($" {run.MessagesPerSecond:N0}{(run.Errors > 0 ? $" ({run.Errors} errors)" : "")} |"));
                }

                foreach (var other in servers.Skip(1))
                {
                    md.Append(Inv($" {Ratio(inRound, subject, other, r => r.MessagesPerSecond):0.00} |"));
                }

                md.AppendLine();
            }

            md.AppendLine();
        }

        return md.ToString();
    }

    public static List<RunResult> Read(string path)
    {
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        return File.ReadLines(path)
            .Where(line => line.StartsWith('{'))
            .Select(line => JsonSerializer.Deserialize<RunResult>(line, options)!)
            .ToList();
    }

    private static List<string> Servers(List<RunResult> runs) =>
        runs.Select(r => r.Server).Distinct().OrderBy(s => Array.IndexOf(ServerOrder, s) is var i && i < 0 ? int.MaxValue : i).ToList();

    private static string Display(string server) => ServerNames.GetValueOrDefault(server, server);

    private static string Describe(RunResult run) =>
        Inv($"{run.Connections} connection{(run.Connections == 1 ? "" : "s")} × {Bytes(run.Size)} {run.Kind}, window {run.Window}, {run.DurationSeconds:0.#} s after {run.WarmupSeconds:0.#} s warm-up");

    private static string Bytes(int size) => size >= 1024 && size % 1024 == 0 ? Inv($"{size / 1024} KiB") : Inv($"{size} B");

    private static void Row(StringBuilder md, string label, List<string> servers, Func<string, double> value, string format)
    {
        md.Append(Inv($"| {label} |"));
        foreach (var server in servers)
        {
            double v = value(server);
            md.Append(double.IsNaN(v) ? " – |" : " " + v.ToString(format, CultureInfo.InvariantCulture) + " |");
        }

        md.AppendLine();
    }

    private static double Median(List<RunResult> runs, string server, Func<RunResult, double> value) =>
        Median(runs.Where(r => r.Server == server).Select(value).Where(v => !double.IsNaN(v)));

    private static double MedianRatio(List<RunResult> runs, string subject, string other, Func<RunResult, double> value) =>
        Median(runs.GroupBy(r => r.Round).Select(g => Ratio(g.ToList(), subject, other, value)).Where(v => !double.IsNaN(v)));

    private static double Ratio(List<RunResult> round, string subject, string other, Func<RunResult, double> value)
    {
        var a = round.FirstOrDefault(r => r.Server == subject);
        var b = round.FirstOrDefault(r => r.Server == other);
        return a is null || b is null || value(b) == 0 ? double.NaN : value(a) / value(b);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
