using System.Diagnostics;
using Serilog;

namespace WsGateway.Listening;

/// <summary>
/// Gives back the memory of many closed connections once the gateway has gone quiet. A connection's objects live long
/// enough to reach generation 2, so when thousands close they become gen2 garbage, and the GC collects gen2 only when
/// allocations call for it: an idle gateway allocates almost nothing, so without this the garbage and the heap
/// regions holding it stay committed for as long as it is idle (measured: 19,000 idle connections opened and closed
/// left 94 MB of dead gen2 objects and 114 MB committed, indefinitely). So once the closing stops, this collects gen2:
/// <list type="bullet">
/// <item>While WebSocket connections are open, a background collection: it runs beside them, which pause only for its
/// two short suspensions, never for a stop-the-world compaction (the Aggressive one took 95 ms with 19,000
/// connections' garbage, and grows with the live heap). The trade-off: it frees the dead objects (and gives
/// <c>ArrayPool.Shared</c> its chance to trim), but does not compact, and the GC keeps regions it emptied committed as budget
/// for a while (decommitting them by age, over later collections): RSS comes down less, and later. Regions still
/// holding a live object stay committed until the GC next compacts by itself.</item>
/// <item>With none open, nobody waits on a pause, so the Aggressive, blocking and compacting collection, which also
/// decommits what it frees and the GC's spare regions: RSS comes down at once.</item>
/// </list>
/// Not <c>GCConserveMemory</c> (it only makes the GC's own gen2 collections compact, and none runs on an idle gateway),
/// nor <c>GC.RefreshMemoryLimit</c> with a lower hard limit (it gets memory back only by compacting collections, and
/// risks out-of-memory for what comes next).
/// </summary>
/// <param name="openConnections">The server's count of open WebSocket connections; without it, some count as open.</param>
/// <param name="collect">Runs a full collection (mode, blocking, compacting); tests record it instead.</param>
/// <param name="gen2Collections">Gen2 collections so far; tests count their own.</param>
internal sealed class IdleMemoryTrim(
    ILogger log, Func<int>? openConnections = null, Action<GCCollectionMode, bool, bool>? collect = null, Func<int>? gen2Collections = null)
{
    /// <summary>Closes since the last full collection that make one worthwhile (each left a few KB of gen2 garbage).</summary>
    public const int ClosedConnections = 1000;

    /// <summary>How long no connection may have closed: under churn the GC runs by itself, and a trim would only add a pause.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromSeconds(5);

    private int _closed;
    private long _lastClose;
    private readonly Func<int> _gen2Collections = gen2Collections ?? Gen2Collections;
    private readonly Action<GCCollectionMode, bool, bool> _collect = collect ?? FullCollection;
    private int _gen2Seen = (gen2Collections ?? Gen2Collections)();

    public void ConnectionClosed()
    {
        Interlocked.Increment(ref _closed);
        Volatile.Write(ref _lastClose, Environment.TickCount64);
    }

    /// <summary>Called about once a second (by the liveness timer); collects when the time has come.</summary>
    public void Tick(long now)
    {
        int gen2 = _gen2Collections();
        if (gen2 != _gen2Seen)
        {
            // A full collection happened by itself and took what had closed before it.
            _gen2Seen = gen2;
            Interlocked.Exchange(ref _closed, 0);
            return;
        }

        if (Volatile.Read(ref _closed) < ClosedConnections || now - Volatile.Read(ref _lastClose) < Quiet.TotalMilliseconds)
        {
            return;
        }

        int closed = Interlocked.Exchange(ref _closed, 0);
        long committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
        int open = openConnections?.Invoke() ?? 1;
        if (open > 0)
        {
            // Background (not guaranteed by the runtime, but what it does unless background GC is disabled); returns at once.
            _collect(GCCollectionMode.Forced, false, false);
            _gen2Seen = _gen2Collections();
            log.Information(
                "Quiet after {Closed} connections closed, {Open} open: started a background full collection, GC memory committed {Before:0.0} MB",
                closed, open, committed / 1e6);
            return;
        }

        long started = Stopwatch.GetTimestamp();
        // Aggressive: also decommits the freed regions and the GC's own spare memory, so the process's RSS goes down
        // and not only the heap's size.
        _collect(GCCollectionMode.Aggressive, true, true);
        _gen2Seen = _gen2Collections();
        log.Information(
            "Quiet after {Closed} connections closed: a full collection took {Milliseconds:0} ms, GC memory committed {Before:0.0} → {After:0.0} MB",
            closed, Stopwatch.GetElapsedTime(started).TotalMilliseconds, committed / 1e6, GC.GetGCMemoryInfo().TotalCommittedBytes / 1e6);
    }

    private static int Gen2Collections() => GC.CollectionCount(2);

    private static void FullCollection(GCCollectionMode mode, bool blocking, bool compacting) =>
        GC.Collect(GC.MaxGeneration, mode, blocking, compacting);
}
