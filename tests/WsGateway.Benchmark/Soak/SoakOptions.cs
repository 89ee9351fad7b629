namespace WsGateway.Benchmark.Soak;

/// <summary>The soak mode's command line.</summary>
internal sealed class SoakOptions
{
    public const string Usage = """
        soak --host PATH/WsGateway.Host.dll --out DIR [--seconds 600]
             [--command-connections 16] [--echo-connections 8] [--churners 4] [--churn-per-second 40]
             [--broadcasts-per-second 5] [--swap-every 20] [--edit-every 7]   (seconds between plugin swaps, script edits)
             [--settle 60]   (seconds, at most, for threads and descriptors to come back after the clients leave)
        """;

    /// <summary>The gateway's host assembly, started as <c>dotnet HOST</c> in a folder of the soak's own.</summary>
    public required string HostPath { get; init; }

    /// <summary>Where the report, the samples and the gateway's folders go.</summary>
    public required string OutDirectory { get; init; }

    public double Seconds { get; init; } = 600;
    public int CommandConnections { get; init; } = 16;
    public int EchoConnections { get; init; } = 8;
    public int Churners { get; init; } = 4;
    public double ChurnPerSecond { get; init; } = 40;
    public double BroadcastsPerSecond { get; init; } = 5;
    public double SwapEverySeconds { get; init; } = 20;
    public double EditEverySeconds { get; init; } = 7;
    public double SettleSeconds { get; init; } = 60;

    public static SoakOptions Parse(string[] args)
    {
        var values = OptionValues.Parse(args);
        var options = new SoakOptions
        {
            HostPath = Path.GetFullPath(values.Take("host") ?? throw new ArgumentException("--host is required")),
            OutDirectory = Path.GetFullPath(values.Take("out") ?? throw new ArgumentException("--out is required")),
            Seconds = values.Double("seconds", 600),
            CommandConnections = values.Int("command-connections", 16),
            EchoConnections = values.Int("echo-connections", 8),
            Churners = values.Int("churners", 4),
            ChurnPerSecond = values.Double("churn-per-second", 40),
            BroadcastsPerSecond = values.Double("broadcasts-per-second", 5),
            SwapEverySeconds = values.Double("swap-every", 20),
            EditEverySeconds = values.Double("edit-every", 7),
            SettleSeconds = values.Double("settle", 60),
        };
        values.EnsureAllTaken();

        // Bounded in time and count: the longest soak is a day, and every figure stays within what one machine's
        // loopback and file-descriptor limits allow.
        if (options.Seconds is < 1 or > 86_400 || options.CommandConnections is < 1 or > 1000 || options.EchoConnections is < 0 or > 1000
            || options.Churners is < 0 or > 64 || options.ChurnPerSecond is < 0 or > 500 || options.BroadcastsPerSecond is < 0 or > 100
            || options.SwapEverySeconds is < 1 or > 3600 || options.EditEverySeconds is < 1 or > 3600 || options.SettleSeconds is < 0 or > 600)
        {
            throw new ArgumentException(
                "out of range: 1 <= seconds <= 86400, 1 <= command-connections <= 1000, 0 <= echo-connections <= 1000, " +
                "0 <= churners <= 64, 0 <= churn-per-second <= 500, 0 <= broadcasts-per-second <= 100, " +
                "1 <= swap-every, edit-every <= 3600, 0 <= settle <= 600");
        }

        if (!File.Exists(options.HostPath))
        {
            throw new ArgumentException($"--host: no such file {options.HostPath}");
        }

        return options;
    }
}
