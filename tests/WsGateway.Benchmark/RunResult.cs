namespace WsGateway.Benchmark;

/// <summary>One load-generator run: the JSON line it prints, and what <see cref="Report"/> reads back.</summary>
internal sealed record RunResult
{
    public string Server { get; init; } = "";
    public string Case { get; init; } = "";
    public int Round { get; init; }
    public string Url { get; init; } = "";
    public int Connections { get; init; }
    public int Size { get; init; }
    public string Kind { get; init; } = "";
    public int Window { get; init; }
    public double WarmupSeconds { get; init; }
    public double DurationSeconds { get; init; }

    /// <summary>Echoes received inside the measurement window.</summary>
    public long Messages { get; init; }
    public double MessagesPerSecond { get; init; }

    /// <summary>Reply payload bytes per second, 1 MB = 10^6 bytes (each message counted once, not both ways).</summary>
    public double MegabytesPerSecond { get; init; }
    public double P50Us { get; init; }
    public double P99Us { get; init; }
    public double P999Us { get; init; }
    public double MaxUs { get; init; }
    public long Errors { get; init; }
    public string? FirstError { get; init; }

    /// <summary>Share of one core the load generator used during the measurement (1.0 = saturated).</summary>
    public double ClientCpu { get; init; }

    /// <summary>Share of one core the server used during the measurement; null without --server-pid.</summary>
    public double? ServerCpu { get; init; }

    /// <summary>Server CPU time per echoed message, in microseconds; null without --server-pid.</summary>
    public double? ServerCpuUsPerMessage { get; init; }
}
