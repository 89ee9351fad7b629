using WsGateway.Options;

namespace WsGateway.Broadcasting;

/// <summary>
/// One group's kept messages: a ring of at most <c>Size</c>, each for <c>TtlSeconds</c>. Appending and reading take its
/// lock, and so does the fan-out of an appended message (<see cref="AppendThen"/>), so that its members get the group's
/// messages in offset order.
/// </summary>
internal sealed class GroupHistory
{
    private readonly HistoryEntry[] _ring;
    private readonly long _ttlMilliseconds;
    private readonly Func<long> _now;
    private readonly Lock _gate = new();
    private long _last; // the last offset given; 0 before the first message
    private int _count;

    public GroupHistory(HistoryGroupOptions rule, Func<long> now)
    {
        _ring = new HistoryEntry[rule.Size];
        _ttlMilliseconds = (long)(rule.TtlSeconds * 1000);
        _now = now;
    }

    /// <summary>
    /// Gives <paramref name="message"/> the next offset, keeps it, and runs <paramref name="deliver"/> with it before any
    /// later message of the group is kept or delivered.
    /// </summary>
    public TResult AppendThen<TResult>(BusMessage message, string epoch, Func<BusMessage, TResult> deliver)
    {
        lock (_gate)
        {
            var positioned = message with { Offset = ++_last, Epoch = epoch };
            _ring[(int)(_last % _ring.Length)] = new HistoryEntry(_last, _now(), positioned);
            _count = Math.Min(_count + 1, _ring.Length);
            return deliver(positioned);
        }
    }

    /// <summary>
    /// The kept messages after <paramref name="after"/> (0 for all), oldest first, at most <paramref name="limit"/>: the
    /// first ones after it, or with <paramref name="newest"/> the last ones. Complete is false when some message after it
    /// is not among them (no longer kept, for size or age, or past the limit).
    /// </summary>
    public (IReadOnlyList<HistoryEntry> Entries, long Last, bool Complete) Since(long after, int limit, bool newest = false)
    {
        lock (_gate)
        {
            long now = _now();
            long oldest = _last - _count + 1;
            while (_count > 0 && now - _ring[(int)(oldest % _ring.Length)].AtMilliseconds > _ttlMilliseconds)
            {
                // Expired: dropped from the old end, as if the ring had overwritten it.
                _count--;
                oldest++;
            }

            long from = Math.Max(after + 1, oldest);
            if (newest)
            {
                from = Math.Max(from, _last - limit + 1);
            }

            bool complete = from == after + 1;
            var entries = new List<HistoryEntry>((int)Math.Clamp(_last - from + 1, 0, limit));
            for (long offset = from; offset <= _last && entries.Count < limit; offset++)
            {
                entries.Add(_ring[(int)(offset % _ring.Length)]);
            }

            return (entries, _last, complete && from + entries.Count > _last);
        }
    }
}
