namespace WsGateway.Benchmark;

/// <summary>The idle mode's command line.</summary>
internal sealed class IdleOptions
{
    public const string Usage = """
        idle --url ws://127.0.0.1:PORT/echo [--connections 19000] [--per-process 10000] [--warmup-connections 100]
             [--settle 2] [--timeout 120]   (seconds: before each memory reading; for connecting, holding and closing)
             [--server NAME] [--case NAME] [--round N] [--server-pid PID]
             [--deflate none|offer|active]   (offer permessage-deflate; active: also one compressed message each)
        """;

    public required Uri Url { get; init; }
    public int Connections { get; init; } = 19_000;
    public int PerProcess { get; init; } = 10_000;
    public int WarmupConnections { get; init; } = 100;
    public double SettleSeconds { get; init; } = 2;
    public double TimeoutSeconds { get; init; } = 120;
    public string Server { get; init; } = "";
    public string Case { get; init; } = "";
    public int Round { get; init; }
    public int? ServerPid { get; init; }
    public IdleDeflate Deflate { get; init; }

    /// <summary>Client processes: one process may hold at most about 19,900 sockets here (20,000 open files).</summary>
    public int Processes => (Connections + PerProcess - 1) / PerProcess;

    public static IdleOptions Parse(string[] args)
    {
        var values = OptionValues.Parse(args);
        var url = new Uri(values.Take("url") ?? throw new ArgumentException("--url is required"));
        if (url.Scheme != "ws")
        {
            throw new ArgumentException("--url must be ws://...");
        }

        var options = new IdleOptions
        {
            Url = url,
            Connections = values.Int("connections", 19_000),
            PerProcess = values.Int("per-process", 10_000),
            WarmupConnections = values.Int("warmup-connections", 100),
            SettleSeconds = values.Double("settle", 2),
            TimeoutSeconds = values.Double("timeout", 120),
            Server = values.Take("server") ?? "",
            Case = values.Take("case") ?? "",
            Round = values.Int("round", 0),
            ServerPid = values.NullableInt("server-pid"),
            Deflate = IdleDeflateExchange.Parse(values.Take("deflate")),
        };
        values.EnsureAllTaken();

        if (options.Connections is < 1 or > IdleConnections.MaxConnections || options.PerProcess is < 1 or > 19_000
            || options.WarmupConnections is < 0 or > 10_000 || options.SettleSeconds is < 0 or > 60 || options.TimeoutSeconds is <= 0 or > 600)
        {
            throw new ArgumentException(
                $"out of range: 1 <= connections <= {IdleConnections.MaxConnections}, 1 <= per-process <= 19000, " +
                "0 <= warmup-connections <= 10000, 0 <= settle <= 60, 0 < timeout <= 600");
        }

        return options;
    }
}
