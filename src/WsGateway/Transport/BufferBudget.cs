using WsGateway.Protocol;

namespace WsGateway.Transport;

/// <summary>
/// The bytes buffered for all connections together (messages being assembled, bytes waiting to be sent), held to
/// <c>Limits:MemoryBudgetBytes</c>: whoever would pass it is refused, so no set of clients can grow the process past
/// what the operator allows. Lock-free: one compare-and-swap per reservation, repeated only when another changed the
/// total in between.
/// </summary>
internal sealed class BufferBudget : IBufferBudget
{
    private readonly Func<long> _limit;
    private long _used;
    private long _refusals;

    /// <param name="limit">The budget in bytes, read at every reservation (it follows a configuration reload); 0 = none.</param>
    public BufferBudget(Func<long> limit) => _limit = limit;

    /// <summary>No budget: every reservation succeeds (tests, and transports made outside a gateway).</summary>
    public static BufferBudget Unlimited { get; } = new(static () => 0);

    /// <summary>Bytes reserved now.</summary>
    public long Used => Volatile.Read(ref _used);

    /// <summary>Reservations refused since start.</summary>
    public long Refusals => Volatile.Read(ref _refusals);

    /// <summary>Reserves <paramref name="bytes"/>, unless that would pass the budget.</summary>
    public bool TryReserve(long bytes)
    {
        long limit = _limit();
        if (limit <= 0 || bytes <= 0)
        {
            Interlocked.Add(ref _used, bytes);
            return true;
        }

        // Compare-and-swap, not add-then-undo: a refused reservation never shows in Used, not even for an instant, so
        // the gauge never reads more than the budget and a reservation that fits is never refused for another's sake.
        long used = Volatile.Read(ref _used);
        while (true)
        {
            if (used + bytes > limit)
            {
                Interlocked.Increment(ref _refusals);
                return false;
            }

            long seen = Interlocked.CompareExchange(ref _used, used + bytes, used);
            if (seen == used)
            {
                return true;
            }

            used = seen;
        }
    }

    /// <summary>Reserves <paramref name="bytes"/> whatever the budget says (a few bytes that must go out: a close frame).</summary>
    public void Reserve(long bytes) => Interlocked.Add(ref _used, bytes);

    /// <summary>Gives back bytes reserved earlier.</summary>
    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);
}
