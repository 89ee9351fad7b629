using System.Collections.Concurrent;
using System.Diagnostics;

namespace WsGateway.Benchmark.Soak;

/// <summary>What the soak's clients counted, shared by all of them (every member is thread-safe).</summary>
internal sealed class SoakStats
{
    private const int KeptErrors = 20;

    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentBag<LatencyHistogram> _histograms = [];
    private long _errorCount;
    private long _worstTicks;
    private long _worstDuringSwapTicks;
    private int _swapsActive;
    private long _lastSwapEnd;

    public long Requests;
    public long Replies;
    public long CommandReplies;
    public long EnvelopeReplies;
    public long EchoReplies;
    public long BroadcastsSent;
    public long BroadcastDeliveries;
    public long ChurnConnections;
    public long ChurnClosed;
    public long ChurnAborted;
    public long ChurnAbortedInFlight;
    public long UnexpectedCloses;
    public long RepliesDuringSwaps;

    public long Errors => Interlocked.Read(ref _errorCount);

    public IReadOnlyList<string> FirstErrors => [.. _errors];

    public TimeSpan WorstLatency => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _worstTicks));

    public TimeSpan WorstLatencyDuringSwap => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _worstDuringSwapTicks));

    public void Error(string what)
    {
        if (Interlocked.Increment(ref _errorCount) <= KeptErrors)
        {
            _errors.Enqueue(what);
        }
    }

    /// <summary>A histogram of the caller's own (one per client task: <see cref="LatencyHistogram"/> is not thread-safe).</summary>
    public LatencyHistogram NewHistogram()
    {
        var histogram = new LatencyHistogram();
        _histograms.Add(histogram);
        return histogram;
    }

    /// <summary>All latencies together; call once the clients are done.</summary>
    public LatencyHistogram MergedHistogram()
    {
        var all = new LatencyHistogram();
        foreach (var histogram in _histograms)
        {
            all.Add(histogram);
        }

        return all;
    }

    /// <summary>One checked reply to a request sent at <paramref name="sentAt"/> (a Stopwatch timestamp).</summary>
    public void Replied(long sentAt, LatencyHistogram histogram)
    {
        long now = Stopwatch.GetTimestamp();
        long ticks = now - sentAt;
        Interlocked.Increment(ref Replies);
        histogram.Record((long)(ticks * RunClock.NanosecondsPerTick));
        Max(ref _worstTicks, ticks);
        // During a swap: one was in progress when the reply came, or one ended after the request left.
        if (Volatile.Read(ref _swapsActive) > 0 || Interlocked.Read(ref _lastSwapEnd) >= sentAt)
        {
            Interlocked.Increment(ref RepliesDuringSwaps);
            Max(ref _worstDuringSwapTicks, ticks);
        }
    }

    /// <summary>From a plugin file write or script save until its new version answered, plus a grace second.</summary>
    public void SwapStarted() => Interlocked.Increment(ref _swapsActive);

    public void SwapEnded()
    {
        Interlocked.Exchange(ref _lastSwapEnd, Stopwatch.GetTimestamp());
        Interlocked.Decrement(ref _swapsActive);
    }

    private static void Max(ref long location, long value)
    {
        long seen = Interlocked.Read(ref location);
        while (value > seen)
        {
            long previous = Interlocked.CompareExchange(ref location, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
