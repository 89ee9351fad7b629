namespace WsGateway.Protocol;

/// <summary>
/// What the buffers of received messages are charged to: a memory budget shared by many connections. A buffer is
/// reserved before it is rented and released when it goes back to the pool, so the budget bounds what all connections
/// hold together. Without one (null), nothing is charged.
/// </summary>
public interface IBufferBudget
{
    /// <summary>Reserves <paramref name="bytes"/>, unless that would pass the budget.</summary>
    /// <returns>False when refused; then nothing was reserved.</returns>
    bool TryReserve(long bytes);

    /// <summary>Gives back bytes reserved earlier.</summary>
    void Release(long bytes);
}
