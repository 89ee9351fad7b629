namespace WsGateway.Benchmark;

/// <summary>What the connections of one broadcast run share: the clock, when each broadcast went out, the latencies.</summary>
internal sealed class BroadcastTimeline(BroadcastOptions options)
{
    private volatile bool _closing;
    private RunClock? _clock;

    public BroadcastOptions Options { get; } = options;

    /// <summary>Started once every connection is open, before the first broadcast.</summary>
    public RunClock Clock => _clock ?? throw new InvalidOperationException("the clock has not started");

    /// <summary>Stopwatch timestamp at which broadcast n was sent.</summary>
    public long[] SentAt { get; } = new long[options.MaxBroadcasts];

    private int _sentCount;

    /// <summary>
    /// Broadcasts sent so far: a delivery numbered past them is not one of ours. Written by the epoll thread, or by the
    /// API publisher's tasks (<see cref="MarkSent"/>) before each publish.
    /// </summary>
    public int SentCount
    {
        get => Volatile.Read(ref _sentCount);
        set => Volatile.Write(ref _sentCount, value);
    }

    /// <summary>Broadcast <paramref name="sequence"/> goes out now: publishes running side by side raise the count to past it.</summary>
    public void MarkSent(int sequence)
    {
        SentAt[sequence] = System.Diagnostics.Stopwatch.GetTimestamp();
        int seen = Volatile.Read(ref _sentCount);
        while (seen <= sequence && Interlocked.CompareExchange(ref _sentCount, sequence + 1, seen) is var was && was != seen)
        {
            seen = was;
        }
    }

    /// <summary>
    /// Deliveries may come in another order than the broadcasts' numbers: publishes through the HTTP API with several
    /// in flight are separate requests, which the server may finish in any order.
    /// </summary>
    public bool Unordered => Options.PublishApiKey is not null && Options.Window > 1;

    /// <summary>Every delivery's payload after its sequence number.</summary>
    public byte[] Tail { get; } = options.Payload()[BroadcastOptions.SequenceDigits..];

    /// <summary>What surrounds every delivery's payload (SignalR: the push's record; a plain WebSocket: nothing).</summary>
    public byte[] DeliveryPrefix { get; } = options.Delivery().Prefix;

    public byte[] DeliverySuffix { get; } = options.Delivery().Suffix;

    /// <summary>
    /// The latency of every delivery to a connection on <see cref="BroadcastOptions.Url"/> (the sender's included), from
    /// the send of its broadcast. One for all of them: the connections share a thread.
    /// </summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>The same for the receivers on <see cref="BroadcastOptions.ReceiverUrl"/>; empty without one.</summary>
    public LatencyHistogram ReceiverUrlLatency { get; } = new();

    /// <summary>Set before the client closes: close frames and hang-ups from then on are expected.</summary>
    public bool Closing => _closing;

    public void StartClock() => _clock = new RunClock(Options.WarmupSeconds, Options.DurationSeconds);

    public void BeginClosing() => _closing = true;
}
