namespace WsGateway.Listening;

/// <summary>
/// The sockets accepted whose handshake is not over (PROXY header, TLS, HTTP head, authentication, the answer), held to
/// <c>Limits:MaxPendingHandshakes</c>: each holds a descriptor, buffers and a timeout until its handshake ends, so
/// clients that connect and send nothing, or an authenticator that hangs, must not pile them up without bound.
/// </summary>
internal sealed class PendingHandshakes
{
    /// <summary>How often at most a refusal is logged: a flood would otherwise write a line per socket.</summary>
    public static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    private int _count;
    private long _refusedSinceLogged;
    private long _nextLogAt = long.MinValue;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Counts a socket in, unless <paramref name="max"/> (0: no limit) are pending already.</summary>
    public bool TryEnter(int max)
    {
        int count = Interlocked.Increment(ref _count);
        if (max == 0 || count <= max)
        {
            return true;
        }

        Interlocked.Decrement(ref _count);
        return false;
    }

    /// <summary>The handshake of a socket counted in is over: upgraded, answered or dropped.</summary>
    public void Exit() => Interlocked.Decrement(ref _count);

    /// <summary>Counts a socket refused at <paramref name="now"/> (<see cref="Environment.TickCount64"/>).</summary>
    /// <returns>
    /// When a log line is due (the first refusal, then at most once per <see cref="LogInterval"/>): the sockets refused
    /// since the last one, this one included. Otherwise 0.
    /// </returns>
    public long Refuse(long now)
    {
        Interlocked.Increment(ref _refusedSinceLogged);
        long due = Volatile.Read(ref _nextLogAt);
        if (now < due || Interlocked.CompareExchange(ref _nextLogAt, now + (long)LogInterval.TotalMilliseconds, due) != due)
        {
            return 0;
        }

        return Interlocked.Exchange(ref _refusedSinceLogged, 0);
    }
}
