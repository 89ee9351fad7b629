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
    private static readonly string[] ServerOrder = ["wsgateway", "wsgateway-redis", "wsgateway-2nodes", "wsgateway-command", "wsgateway-calls", "wsgateway-echo", "kestrel", "node-ws", "signalr", "tcp", "tcp-dotnet"];

    private static readonly Dictionary<string, string> ServerNames = new(StringComparer.Ordinal)
    {
        ["wsgateway"] = "WsGateway",
        // cluster.sh: one node with Cluster:Redis set but alone; two nodes through Redis.
        ["wsgateway-redis"] = "WsGateway + Redis, alone",
        ["wsgateway-2nodes"] = "2 × WsGateway via Redis",
        ["wsgateway-command"] = "WsGateway `/` command",
        ["wsgateway-calls"] = "WsGateway `/` wsgateway.v1 call",
        ["wsgateway-echo"] = "WsGateway `/echo`",
        ["kestrel"] = "Kestrel",
        ["node-ws"] = "node ws",
        ["signalr"] = "SignalR",
        ["tcp"] = "TCP echo (node)",
        ["tcp-dotnet"] = "TCP echo (.NET)",
    };

    // What each reference's broadcast is (tests/WsGateway.Benchmark/README.md, Broadcast, says why it is the plain code).
    private static readonly Dictionary<string, string> BroadcastReferences = new(StringComparer.Ordinal)
    {
        ["kestrel"] = "every client's `SendAsync` under its own lock, all started together and awaited together; a client that has not taken its frame within 1 s is aborted",
        ["node-ws"] = "`client.send(text)` to each client; what a client does not read is buffered without bound",
        ["signalr"] = "`Clients.All.SendAsync` in a hub method, JSON hub protocol",
    };

    // The same for the cases through a group (`--group`), WsGateway's own included: its group commands are the
    // benchmark's scripts, not the product's.
    private static readonly Dictionary<string, string> GroupReferences = new(StringComparer.Ordinal)
    {
        ["wsgateway"] = "script commands: `group-join` calls `JoinGroupAsync` and answers, `group-send` calls `SendToGroupAsync`",
        ["kestrel"] = "a `ConcurrentDictionary` of members per group name; the same sends as its broadcast over the group's members",
        ["signalr"] = "`Groups.AddToGroupAsync` in a hub method, then `Clients.Group(name).SendAsync`, JSON hub protocol",
    };

    public static string Render(IReadOnlyList<RunResult> results)
    {
        var md = new StringBuilder();
        var cases = results.Select(r => r.Case).Distinct().ToList();
        int rounds = results.Select(r => r.Round).Distinct().Count();
        List<string> CasesOf(string mode) => cases.Where(c => results.First(r => r.Case == c).Mode == mode).ToList();

        if (CasesOf("load") is { Count: > 0 } load)
        {
            md.AppendLine(Inv($"### Throughput, median of {rounds} round(s)"));
            md.AppendLine();
            md.AppendLine("Messages per second (each message is one request and its echo); server CPU is the server's user + system time");
            md.AppendLine("during the measured seconds (1.00 = all of core 0). A ratio is the median of the per-round ratios.");
            if (results.Any(r => r.Mode == "load" && r.Server == "signalr"))
            {
                md.AppendLine("SignalR (command cases): the hub method `Echo(\"hello\")` answers the caller with `Clients.Caller.SendAsync`,");
                md.AppendLine("JSON hub protocol; request and reply are records of about 50 bytes, where WsGateway's command route takes");
                md.AppendLine("`echo hello` and answers `hello`.");
            }

            md.AppendLine();
            load.ForEach(name => LoadTable(md, results.Where(r => r.Case == name).ToList()));
        }

        if (CasesOf("broadcast") is { Count: > 0 } broadcast)
        {
            md.AppendLine(Inv($"### Broadcast, median of {rounds} round(s)"));
            md.AppendLine();
            md.AppendLine("Deliveries per second: broadcast messages arriving at the receivers and at the sender (a stalled receiver's not");
            md.AppendLine("counted); latency is from the sender's request to each delivery; server CPU per delivery as above.");
            References(md, "How the references broadcast:", results.Where(r => r.Mode == "broadcast" && r.Group is null), BroadcastReferences);
            References(md, "How each sends to a group (every connection, the sender too, joins it before the run):",
                results.Where(r => r.Mode == "broadcast" && r.Group is not null), GroupReferences);

            md.AppendLine();
            broadcast.ForEach(name => BroadcastTable(md, results, name));
        }

        if (CasesOf("idle") is { Count: > 0 } idle)
        {
            md.AppendLine(Inv($"### Idle connections, median of {rounds} round(s)"));
            md.AppendLine();
            md.AppendLine("The server's resident memory (VmRSS) before the connections and with all of them open, the growth per");
            md.AppendLine("connection, and its CPU time while they connected per handshake; client CPU is all client processes together.");
            md.AppendLine();
            idle.ForEach(name => IdleTable(md, results.Where(r => r.Case == name).ToList()));
        }

        md.AppendLine("### Every round (in the order the servers ran)");
        md.AppendLine();
        foreach (var name in CasesOf("load").Concat(CasesOf("broadcast")).Concat(CasesOf("idle")))
        {
            var runs = results.Where(r => r.Case == name).ToList();
            var (label, headline, format) = Headline(runs[0].Mode);
            var servers = Servers(runs);
            string subject = servers[0];
            // cluster.sh's setups are each set against the single gateway (x / it), as in its summary table.
            bool inverse = IsCluster(runs);
            md.AppendLine(Inv($"**{name}** ({label})"));
            md.AppendLine();
            md.Append("| round | order | ").AppendJoin(" | ", servers.Select(Display));
            // A case with one server (group10k) has no ratios.
            md.AppendJoin("", servers.Skip(1).Select(o => " | " + (inverse ? Inv($"{Display(o)} / {Display(subject)}") : Inv($"{Display(subject)} / {Display(o)}")))).AppendLine(" |");
            md.Append("|---:|---|").AppendJoin("", servers.Select(_ => "---:|")).AppendJoin("", servers.Skip(1).Select(_ => "---:|")).AppendLine();
            foreach (var round in runs.Select(r => r.Round).Distinct().Order())
            {
                var inRound = runs.Where(r => r.Round == round).ToList();
                md.Append(Inv($"| {round} | ")).AppendJoin(" → ", inRound.Select(r => r.Server)).Append(" |");
                foreach (var server in servers)
                {
                    var run = inRound.FirstOrDefault(r => r.Server == server);
                    md.Append(run is null ? " – |" : " " + Format(headline(run), format) + (run.Errors > 0 ? Inv($" ({run.Errors} errors)") : "") + " |");
                }

                foreach (var other in servers.Skip(1))
                {
                    md.Append(Inv($" {(inverse ? Ratio(inRound, other, subject, headline) : Ratio(inRound, subject, other, headline)):0.00} |"));
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

    private static void LoadTable(StringBuilder md, List<RunResult> runs)
    {
        var servers = Servers(runs);
        md.AppendLine(Inv($"**{runs[0].Case}**: {Describe(runs[0])}"));
        md.AppendLine();
        Header(md, servers);
        Row(md, "msg/s", servers, s => Median(runs, s, r => r.MessagesPerSecond), "N0");
        Row(md, "MB/s", servers, s => Median(runs, s, r => r.MegabytesPerSecond), "N1");
        Row(md, "p50 µs", servers, s => Median(runs, s, r => r.P50Us), "N0");
        Row(md, "p99 µs", servers, s => Median(runs, s, r => r.P99Us), "N0");
        Row(md, "p99.9 µs", servers, s => Median(runs, s, r => r.P999Us), "N0");
        Row(md, "server CPU µs/msg", servers, s => Median(runs, s, r => r.ServerCpuUsPerMessage ?? double.NaN), "N2");
        Row(md, "server CPU (cores)", servers, s => Median(runs, s, r => r.ServerCpu ?? double.NaN), "N2");
        Row(md, "client CPU (cores)", servers, s => Median(runs, s, r => r.ClientCpu), "N2");
        Row(md, "errors (all rounds)", servers, s => runs.Where(r => r.Server == s).Sum(r => r.Errors), "N0");
        RatioRow(md, "**msg/s {0} / x**", runs, servers, r => r.MessagesPerSecond, bold: true);
        RatioRow(md, "CPU/msg {0} / x", runs, servers, r => r.ServerCpuUsPerMessage ?? double.NaN, bold: false);
        md.AppendLine();
    }

    private static void BroadcastTable(StringBuilder md, IReadOnlyList<RunResult> results, string name)
    {
        var runs = results.Where(r => r.Case == name).ToList();
        var servers = Servers(runs);
        var first = runs[0];
        // cluster.sh's case: some runs on two nodes (every other receiver on the second one), some with Redis's CPU.
        bool cluster = IsCluster(runs);
        md.AppendLine(Inv($"**{name}**: {first.Receivers:N0} receivers + 1 sender × {Bytes(first.Size)} text, window {first.Window}") +
            (first.Group is not null ? ", through a group they all joined" : "") +
            (runs.Select(r => r.Round).Distinct().Count() is var own && own != results.Select(r => r.Round).Distinct().Count() ? Inv($", median of {own} round(s)") : "") +
            (first.Stalled is > 0 ? Inv($", {first.Stalled} of the receivers never reading") : "") +
            (runs.Any(r => r.ReceiverUrl is not null) ? "; on two nodes every other receiver is on the second node, the sender on the first" : "") +
            Inv($", {first.DurationSeconds:0.#} s after {first.WarmupSeconds:0.#} s warm-up"));
        md.AppendLine();
        Header(md, servers);
        Row(md, "deliveries/s", servers, s => Median(runs, s, r => r.MessagesPerSecond), "N0");
        Row(md, "broadcasts/s", servers, s => Median(runs, s, r => r.BroadcastsPerSecond ?? double.NaN), "N0");
        Row(md, "delivery p50 µs", servers, s => Median(runs, s, r => r.P50Us), "N0");
        Row(md, "delivery p99 µs", servers, s => Median(runs, s, r => r.P99Us), "N0");
        Row(md, "delivery p99.9 µs", servers, s => Median(runs, s, r => r.P999Us), "N0");
        if (cluster)
        {
            Row(md, "deliveries/s, sender's node", servers, s => Median(runs, s, r => r.UrlDeliveriesPerSecond ?? double.NaN), "N0");
            Row(md, "deliveries/s, other node", servers, s => Median(runs, s, r => r.ReceiverUrlDeliveriesPerSecond ?? double.NaN), "N0");
            Row(md, "delivery p50 µs, sender's node", servers, s => Median(runs, s, r => r.UrlP50Us ?? double.NaN), "N0");
            Row(md, "delivery p99 µs, sender's node", servers, s => Median(runs, s, r => r.UrlP99Us ?? double.NaN), "N0");
            Row(md, "delivery p50 µs, other node", servers, s => Median(runs, s, r => r.ReceiverUrlP50Us ?? double.NaN), "N0");
            Row(md, "delivery p99 µs, other node", servers, s => Median(runs, s, r => r.ReceiverUrlP99Us ?? double.NaN), "N0");
        }

        Row(md, cluster ? "gateways' CPU µs/delivery" : "server CPU µs/delivery", servers, s => Median(runs, s, r => r.ServerCpuUsPerMessage ?? double.NaN), "N2");
        Row(md, cluster ? "gateways' CPU (cores)" : "server CPU (cores)", servers, s => Median(runs, s, r => r.ServerCpu ?? double.NaN), "N2");
        if (cluster)
        {
            Row(md, "of which the other node (cores)", servers, s => Median(runs, s, r => r.ReceiverServerCpu ?? double.NaN), "N2");
            Row(md, "of which JIT compiling (cores)", servers, s => Median(runs, s, r => r.ServerJitCpu ?? double.NaN), "N2");
            Row(md, "Redis CPU µs/delivery", servers, s => Median(runs, s, r => r.RedisCpuUsPerMessage ?? double.NaN), "N2");
            Row(md, "Redis CPU (cores)", servers, s => Median(runs, s, r => r.RedisCpu ?? double.NaN), "N2");
        }

        Row(md, "client CPU (cores)", servers, s => Median(runs, s, r => r.ClientCpu), "N2");
        if (first.Stalled is > 0)
        {
            md.Append("| stalled receiver dropped by the server (rounds) |");
            foreach (var server in servers)
            {
                var mine = runs.Where(r => r.Server == server).ToList();
                md.Append(Inv($" {mine.Count(r => r.StalledDropped == true)} of {mine.Count} |"));
            }

            md.AppendLine();
        }

        Row(md, "errors (all rounds)", servers, s => runs.Where(r => r.Server == s).Sum(r => r.Errors), "N0");
        if (runs.Any(r => r.Missing is not null))
        {
            // Counted per delivery (errors count connections): every client must get every broadcast exactly once.
            Row(md, "missing deliveries (all rounds)", servers, s => runs.Where(r => r.Server == s).Sum(r => r.Missing ?? 0), "N0");
            Row(md, "repeated deliveries (all rounds)", servers, s => runs.Where(r => r.Server == s).Sum(r => r.Duplicates ?? 0), "N0");
        }

        if (cluster)
        {
            // What each setup gives against the single node: x ÷ it.
            RatioRow(md, "**deliveries/s ÷ {0}'s**", runs, servers, r => r.MessagesPerSecond, bold: true, inverse: true);
            RatioRow(md, "gateways' CPU/delivery ÷ {0}'s", runs, servers, r => r.ServerCpuUsPerMessage ?? double.NaN, bold: false, inverse: true);
            RatioRow(md, "p99 ÷ {0}'s", runs, servers, r => r.P99Us, bold: false, inverse: true);
        }
        else
        {
            RatioRow(md, "**deliveries/s {0} / x**", runs, servers, r => r.MessagesPerSecond, bold: true);
            RatioRow(md, "CPU/delivery {0} / x", runs, servers, r => r.ServerCpuUsPerMessage ?? double.NaN, bold: false);
        }

        // The same server without the stalled receiver, in the same round: what the stall costs the others.
        var plain = results.FirstOrDefault(r => r.Mode == "broadcast" && r.Stalled is 0 or null && r.Receivers == first.Receivers
            && r.Size == first.Size && r.Window == first.Window && r.Group == first.Group)?.Case;
        if (first.Stalled is > 0 && plain is not null)
        {
            md.Append(Inv($"| deliveries/s ÷ the same server's {plain} |"));
            foreach (var server in servers)
            {
                double ratio = Median(runs.Where(r => r.Server == server).Select(r =>
                    results.FirstOrDefault(p => p.Case == plain && p.Server == server && p.Round == r.Round) is { MessagesPerSecond: > 0 } p
                        ? r.MessagesPerSecond / p.MessagesPerSecond
                        : double.NaN).Where(v => !double.IsNaN(v)));
                md.Append(double.IsNaN(ratio) ? " – |" : Inv($" {ratio:0.00} |"));
            }

            md.AppendLine();
        }

        md.AppendLine();
    }

    private static void References(StringBuilder md, string title, IEnumerable<RunResult> runs, Dictionary<string, string> references)
    {
        var servers = InServerOrder(runs.Select(r => r.Server).Where(references.ContainsKey));
        if (servers.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(title);
            servers.ForEach(server => md.AppendLine(Inv($"- {Display(server)}: {references[server]}")));
        }
    }

    private static void IdleTable(StringBuilder md, List<RunResult> runs)
    {
        var servers = Servers(runs);
        md.AppendLine(Inv($"**{runs[0].Case}**: {runs.Max(r => r.Connections):N0} idle connections to {new Uri(runs[0].Url).AbsolutePath}"));
        md.AppendLine();
        Header(md, servers);
        Row(md, "connections", servers, s => Median(runs, s, r => r.Connections), "N0");
        Row(md, "server RSS before, MB", servers, s => Median(runs, s, r => r.RssBeforeBytes / 1e6 ?? double.NaN), "N1");
        Row(md, "server RSS with all open, MB", servers, s => Median(runs, s, r => r.RssOpenBytes / 1e6 ?? double.NaN), "N1");
        Row(md, "RSS per connection, bytes", servers, s => Median(runs, s, r => r.RssPerConnectionBytes ?? double.NaN), "N0");
        Row(md, "server CPU µs/handshake", servers, s => Median(runs, s, r => r.ServerCpuUsPerHandshake ?? double.NaN), "N1");
        Row(md, "handshakes/s", servers, s => Median(runs, s, r => r.ConnectSeconds is > 0 ? r.Connections / r.ConnectSeconds.Value : double.NaN), "N0");
        Row(md, "server CPU while connecting (cores)", servers, s => Median(runs, s, r => r.ServerCpu ?? double.NaN), "N2");
        Row(md, "client CPU while connecting (cores)", servers, s => Median(runs, s, r => r.ClientCpu), "N2");
        Row(md, "errors (all rounds)", servers, s => runs.Where(r => r.Server == s).Sum(r => r.Errors), "N0");
        RatioRow(md, "**RSS/connection {0} / x**", runs, servers, r => r.RssPerConnectionBytes ?? double.NaN, bold: true);
        RatioRow(md, "CPU/handshake {0} / x", runs, servers, r => r.ServerCpuUsPerHandshake ?? double.NaN, bold: false);
        md.AppendLine();
    }

    private static bool IsCluster(List<RunResult> runs) => runs.Any(r => r.ReceiverUrl is not null || r.RedisCpu is not null);

    /// <summary>What the per-round table shows for a mode: its label, the value, and its format.</summary>
    private static (string Label, Func<RunResult, double> Value, string Format) Headline(string mode) => mode switch
    {
        "broadcast" => ("deliveries/s", r => r.MessagesPerSecond, "N0"),
        "idle" => ("server RSS per connection, bytes", r => r.RssPerConnectionBytes ?? double.NaN, "N0"),
        _ => ("msg/s", r => r.MessagesPerSecond, "N0"),
    };

    private static void Header(StringBuilder md, List<string> servers)
    {
        md.Append("| | ").AppendJoin(" | ", servers.Select(Display)).AppendLine(" |");
        md.Append("|---|").AppendJoin("", servers.Select(_ => "---:|")).AppendLine();
    }

    /// <summary>
    /// The median over rounds of subject ÷ each other server (<paramref name="inverse"/>: each other server ÷ subject);
    /// <paramref name="label"/> gets the subject's name.
    /// </summary>
    private static void RatioRow(
        StringBuilder md, string label, List<RunResult> runs, List<string> servers, Func<RunResult, double> value, bool bold, bool inverse = false)
    {
        string subject = servers[0];
        if (servers.Count == 1)
        {
            return;
        }

        md.Append("| ").Append(string.Format(CultureInfo.InvariantCulture, label, Display(subject))).Append(" |");
        foreach (var other in servers)
        {
            double ratio = inverse ? MedianRatio(runs, other, subject, value) : MedianRatio(runs, subject, other, value);
            md.Append(other == subject ? " |" : double.IsNaN(ratio) ? " – |" : bold ? Inv($" **{ratio:0.00}** |") : Inv($" {ratio:0.00} |"));
        }

        md.AppendLine();
    }

    private static string Format(double value, string format) =>
        double.IsNaN(value) ? "–" : value.ToString(format, CultureInfo.InvariantCulture);

    private static List<string> Servers(List<RunResult> runs) => InServerOrder(runs.Select(r => r.Server));

    private static List<string> InServerOrder(IEnumerable<string> servers) =>
        servers.Distinct().OrderBy(s => Array.IndexOf(ServerOrder, s) is var i && i < 0 ? int.MaxValue : i).ToList();

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
