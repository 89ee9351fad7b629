using System.Globalization;

namespace WsGateway.Benchmark.Soak;

/// <summary>
/// One reading of the gateway: resident memory, threads and open file descriptors from /proc, and the gauges and
/// counters of its /metrics page. A field is null when it could not be read.
/// </summary>
internal sealed record ServerSample
{
    /// <summary>Seconds since the soak started the gateway.</summary>
    public double T { get; init; }

    /// <summary>idle, load, leaving or after.</summary>
    public string Phase { get; init; } = "";
    public long? RssBytes { get; init; }
    public int? Threads { get; init; }
    public int? Fds { get; init; }
    public long? ConnectionsOpen { get; init; }
    public long? PluginReloads { get; init; }
    public long? ScriptReloads { get; init; }
    public long? ReloadFailures { get; init; }

    /// <summary>Replies the clients had checked by then, all kinds together.</summary>
    public long Replies { get; init; }
    public long Errors { get; init; }

    public static async Task<ServerSample> ReadAsync(int pid, HttpClient http, Uri url, string phase, double t, CancellationToken cancellationToken)
    {
        var (rss, threads) = Status(pid);
        var metrics = await MetricsAsync(http, url, cancellationToken);
        return new ServerSample
        {
            T = Math.Round(t, 1),
            Phase = phase,
            RssBytes = rss,
            Threads = threads,
            Fds = Descriptors(pid),
            ConnectionsOpen = Value(metrics, "wsgateway_connections_open"),
            PluginReloads = Value(metrics, "wsgateway_reloads_total{kind=\"plugin\"}"),
            ScriptReloads = Value(metrics, "wsgateway_reloads_total{kind=\"script\"}"),
            ReloadFailures = Sum(metrics, "wsgateway_reload_failures_total"),
        };
    }

    /// <summary>VmRSS (bytes) and Threads from /proc/PID/status.</summary>
    private static (long? Rss, int? Threads) Status(int pid)
    {
        try
        {
            long? rss = null;
            int? threads = null;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                var fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (fields is ["VmRSS:", var kb, ..])
                {
                    rss = long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
                else if (fields is ["Threads:", var n, ..])
                {
                    threads = int.Parse(n, CultureInfo.InvariantCulture);
                }
            }

            return (rss, threads);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, null);
        }
    }

    private static int? Descriptors(int pid)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task<Dictionary<string, double>> MetricsAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{url.Port}/metrics"), timeout.Token);
            foreach (var line in text.Split('\n'))
            {
                int space = line.LastIndexOf(' ');
                if (line.StartsWith("wsgateway_", StringComparison.Ordinal) && space > 0
                    && double.TryParse(line.AsSpan(space + 1), CultureInfo.InvariantCulture, out double value))
                {
                    values[line[..space]] = value;
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            // A missed reading is a gap in the timeline, not a failure of the soak.
        }

        return values;
    }

    private static long? Value(Dictionary<string, double> metrics, string name) =>
        metrics.TryGetValue(name, out double value) ? (long)value : null;

    private static long? Sum(Dictionary<string, double> metrics, string name)
    {
        var matching = metrics.Where(m => m.Key == name || m.Key.StartsWith(name + "{", StringComparison.Ordinal)).ToList();
        return matching.Count == 0 ? 0 : (long)matching.Sum(m => m.Value);
    }
}
