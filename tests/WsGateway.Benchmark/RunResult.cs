namespace WsGateway.Benchmark;

/// <summary>
/// One load-generator run: the JSON line it prints, and what <see cref="Report"/> reads back. The broadcast mode fills
/// the message fields with deliveries (one broadcast message arriving at one client); the idle mode has its own fields.
/// </summary>
internal sealed record RunResult
{
    /// <summary>load, broadcast or idle (lines written before the other modes existed have none: load).</summary>
    public string Mode { get; init; } = "load";
    public string Server { get; init; } = "";
    public string Case { get; init; } = "";
    public int Round { get; init; }
    public string Url { get; init; } = "";

    /// <summary>Broadcast: where every other receiver connected instead of <see cref="Url"/> (a second node); null: none.</summary>
    public string? ReceiverUrl { get; init; }
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

    /// <summary>Broadcast with a receiver URL: the share of a core its server used (already counted in <see cref="ServerCpu"/>).</summary>
    public double? ReceiverServerCpu { get; init; }

    /// <summary>
    /// Broadcast: the share of a core the servers' .NET background JIT threads used (part of <see cref="ServerCpu"/>):
    /// well above zero, the server was still compiling hot code in the measured seconds. A lower bound (a thread that
    /// ended within the window is missed).
    /// </summary>
    public double? ServerJitCpu { get; init; }

    /// <summary>Broadcast with --redis-pid: the share of a core that process used (not counted in <see cref="ServerCpu"/>).</summary>
    public double? RedisCpu { get; init; }

    /// <summary>Broadcast with --redis-pid: its CPU time per delivery, in microseconds.</summary>
    public double? RedisCpuUsPerMessage { get; init; }

    /// <summary>Broadcast: receivers, the sender not counted.</summary>
    public int? Receivers { get; init; }

    /// <summary>Broadcast: the group every connection joined and the sender sent to; null: a broadcast to all.</summary>
    public string? Group { get; init; }

    /// <summary>
    /// Broadcast: deliveries that never came, over every connection, up to the sender's last broadcast (skipped, or
    /// not got by the end); null when the run did not get that far.
    /// </summary>
    public long? Missing { get; init; }

    /// <summary>Broadcast: deliveries of a broadcast a connection had already got (or got late, after a later one).</summary>
    public long? Duplicates { get; init; }

    /// <summary>Broadcast: receivers that never read; their deliveries are not counted.</summary>
    public int? Stalled { get; init; }

    /// <summary>Broadcast: whether the server had closed the stalled receivers' connections by the end.</summary>
    public bool? StalledDropped { get; init; }

    /// <summary>Broadcast: the sender's own copies per second, i.e. broadcasts completed.</summary>
    public double? BroadcastsPerSecond { get; init; }

    /// <summary>Broadcast with a receiver URL: deliveries per second to the connections on <see cref="Url"/> (the sender's included).</summary>
    public double? UrlDeliveriesPerSecond { get; init; }

    /// <summary>Broadcast with a receiver URL: deliveries per second to the receivers on <see cref="ReceiverUrl"/>.</summary>
    public double? ReceiverUrlDeliveriesPerSecond { get; init; }

    /// <summary>Broadcast with a receiver URL: latency of the deliveries to the connections on <see cref="Url"/>.</summary>
    public double? UrlP50Us { get; init; }
    public double? UrlP99Us { get; init; }

    /// <summary>Broadcast with a receiver URL: latency of the deliveries to the receivers on <see cref="ReceiverUrl"/>.</summary>
    public double? ReceiverUrlP50Us { get; init; }
    public double? ReceiverUrlP99Us { get; init; }

    /// <summary>Idle: the server's resident memory before the connections (after a warm-up), bytes.</summary>
    public long? RssBeforeBytes { get; init; }

    /// <summary>Idle: the server's resident memory with every connection open, bytes.</summary>
    public long? RssOpenBytes { get; init; }

    /// <summary>Idle: (open − before) / connections.</summary>
    public double? RssPerConnectionBytes { get; init; }

    /// <summary>Idle: seconds from the first connect to the last handshake completed.</summary>
    public double? ConnectSeconds { get; init; }

    /// <summary>Idle: server CPU time while connecting, divided by the connections, in microseconds.</summary>
    public double? ServerCpuUsPerHandshake { get; init; }

    /// <summary>Load mode: one request frame on the wire, bytes (compressed when --deflate on).</summary>
    public int? RequestFrameBytes { get; init; }

    /// <summary>Load mode with --deflate on: the server's echo frame on the wire, bytes.</summary>
    public int? ReplyFrameBytes { get; init; }
}
