namespace WsGateway.Benchmark.Soak;

/// <summary>The soak's outcome: result.json, the last line on stdout, and what the integration test reads back.</summary>
internal sealed record SoakResult
{
    public string Mode { get; init; } = "soak";
    public string Started { get; init; } = "";
    public double Seconds { get; init; }
    public int CommandConnections { get; init; }
    public int EchoConnections { get; init; }
    public int Churners { get; init; }
    public double ChurnPerSecond { get; init; }
    public double BroadcastsPerSecond { get; init; }

    /// <summary>The idle gateway before the load, after a short warm-up (every kind of request once).</summary>
    public ServerSample? Baseline { get; init; }

    /// <summary>A quarter into the load: the reference for "flat while it runs".</summary>
    public ServerSample? EarlyLoad { get; init; }
    public ServerSample? EndOfLoad { get; init; }

    /// <summary>After the clients left, once threads and descriptors came back (or --settle passed).</summary>
    public ServerSample? After { get; init; }
    public double AfterSeconds { get; init; }
    public long? PeakRssBytes { get; init; }
    public int? PeakThreads { get; init; }
    public int? PeakFds { get; init; }
    public long? PeakConnections { get; init; }

    public long Requests { get; init; }
    public long Replies { get; init; }
    public long CommandReplies { get; init; }
    public long EnvelopeReplies { get; init; }
    public long EchoReplies { get; init; }
    public long BroadcastsSent { get; init; }
    public long BroadcastDeliveries { get; init; }
    public long ChurnConnections { get; init; }
    public long ChurnClosed { get; init; }
    public long ChurnAborted { get; init; }
    public long ChurnAbortedInFlight { get; init; }
    public long UnexpectedCloses { get; init; }
    public long Errors { get; init; }
    public IReadOnlyList<string> FirstErrors { get; init; } = [];

    public int PluginSwaps { get; init; }
    public int ScriptEdits { get; init; }

    /// <summary>The gateway's own count (wsgateway_reloads_total) over the load.</summary>
    public long? PluginReloads { get; init; }
    public long? ScriptReloads { get; init; }
    public long? ReloadFailures { get; init; }
    public double SlowestSwapToLiveMs { get; init; }
    public long RepliesDuringSwaps { get; init; }
    public double WorstLatencyDuringSwapMs { get; init; }
    public double WorstLatencyMs { get; init; }
    public double P50Ms { get; init; }
    public double P99Ms { get; init; }
    public double P999Ms { get; init; }
}
