using System.Runtime.CompilerServices;
using WsGateway.Listening;
using WsGateway.Tests.Plugins;

namespace WsGateway.Tests.Listening;

public sealed class IdleMemoryTrimTests
{
    private static readonly long QuietLongEnough = (long)IdleMemoryTrim.Quiet.TotalMilliseconds + 1000;

    private readonly LogRecorder _log = new();
    private readonly List<(GCCollectionMode Mode, bool Blocking, bool Compacting)> _collections = [];
    private int _gen2;
    private int _open = 3;

    /// <summary>A trim whose collections are recorded, not run, and that sees only the gen2 collections this test makes.</summary>
    private IdleMemoryTrim Recorded() =>
        new(_log.Logger, () => _open, (mode, blocking, compacting) => _collections.Add((mode, blocking, compacting)), () => _gen2);

    private static void CloseConnections(IdleMemoryTrim trim, int count)
    {
        for (int i = 0; i < count; i++)
        {
            trim.ConnectionClosed();
        }
    }

    [Fact]
    public void Nothing_is_collected_before_enough_connections_closed_or_while_they_still_close()
    {
        var trim = Recorded();
        CloseConnections(trim, IdleMemoryTrim.ClosedConnections - 1);
        trim.Tick(Environment.TickCount64 + QuietLongEnough);
        Assert.Empty(_collections);

        trim.ConnectionClosed();
        trim.Tick(Environment.TickCount64);
        Assert.Empty(_collections);

        trim.Tick(Environment.TickCount64 + QuietLongEnough);
        Assert.Single(_collections);
    }

    [Fact]
    public void While_connections_are_open_the_collection_is_background_and_does_not_compact()
    {
        var trim = Recorded();
        CloseConnections(trim, IdleMemoryTrim.ClosedConnections);
        trim.Tick(Environment.TickCount64 + QuietLongEnough);

        var (mode, blocking, compacting) = Assert.Single(_collections);
        Assert.NotEqual(GCCollectionMode.Aggressive, mode);
        Assert.NotEqual(GCCollectionMode.Optimized, mode);
        Assert.False(blocking);
        Assert.False(compacting);
        Assert.Contains(_log.Lines, l => l.Message.Contains("3 open: started a background full collection", StringComparison.Ordinal));

        // Once: the closes it was for are counted as collected.
        trim.Tick(Environment.TickCount64 + QuietLongEnough);
        Assert.Single(_collections);
    }

    [Fact]
    public void With_no_connection_open_the_collection_compacts_and_decommits()
    {
        _open = 0;
        var trim = Recorded();
        CloseConnections(trim, IdleMemoryTrim.ClosedConnections);
        trim.Tick(Environment.TickCount64 + QuietLongEnough);

        Assert.Equal((GCCollectionMode.Aggressive, true, true), Assert.Single(_collections));
    }

    [Fact]
    public void A_full_collection_that_ran_by_itself_took_the_garbage_already()
    {
        var trim = Recorded();
        CloseConnections(trim, IdleMemoryTrim.ClosedConnections);
        _gen2++;
        trim.Tick(Environment.TickCount64 + QuietLongEnough);
        trim.Tick(Environment.TickCount64 + QuietLongEnough);
        Assert.Empty(_collections);
    }

    /// <summary>
    /// The real runtime, not a stand-in: with connections open (the server's count unknown here counts as open) and the
    /// gen2 garbage of closed connections about, the trim's collection runs as a background GC, which never compacts
    /// and pauses threads only briefly. (On a heap with next to nothing in gen2 the runtime may run it blocking: it is
    /// then as cheap as it is short.)
    /// </summary>
    [Fact]
    public async Task With_connections_open_the_real_collection_is_a_background_one()
    {
        long backgroundBefore = GC.GetGCMemoryInfo(GCKind.Background).Index;
        LeaveGen2Garbage();
        // A gen2 collection of some other test's between creating the trim and its tick would rightly stop it: try again.
        for (int attempt = 0; attempt < 5 && !_log.Lines.Any(l => l.Message.StartsWith("Quiet after", StringComparison.Ordinal)); attempt++)
        {
            var trim = new IdleMemoryTrim(_log.Logger);
            CloseConnections(trim, IdleMemoryTrim.ClosedConnections);
            trim.Tick(Environment.TickCount64 + QuietLongEnough);
        }

        Assert.Contains(_log.Lines, l => l.Message.StartsWith("Quiet after", StringComparison.Ordinal));
        Assert.True(
            await Eventually.TrueAsync(() => GC.GetGCMemoryInfo(GCKind.Background).Index > backgroundBefore, Eventually.Patience),
            $"no background collection ran; the last full blocking one compacted: {GC.GetGCMemoryInfo(GCKind.FullBlocking).Compacted}");
    }

    /// <summary>What thousands of closed connections leave: some 30 MB of small objects that reached gen2, now dead.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LeaveGen2Garbage()
    {
        var connections = new List<object[]>();
        for (int i = 0; i < 20_000; i++)
        {
            connections.Add([new byte[1024], new string('x', 100), new List<int>(16)]);
        }

        GC.Collect();
        GC.Collect();
        GC.KeepAlive(connections);
    }
}
