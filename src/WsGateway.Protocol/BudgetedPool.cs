using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace WsGateway.Protocol;

/// <summary>
/// Message buffers against an <see cref="IBufferBudget"/>: up to <see cref="LargestPooled"/> from
/// <see cref="ArrayPool{T}.Shared"/>, larger ones new and left to the GC when returned (unless pooled at any size). The
/// charge is the length of the array handed out (what is really held, not what was asked for), reserved before it
/// exists and released by <see cref="Return"/>.
/// </summary>
internal static class BudgetedPool
{
    /// <summary>
    /// The largest buffer taken from the shared pool. Larger ones are not pooled: the shared pool keeps up to 32 arrays
    /// per core of every size given back to it, uncharged, and a message that grows to 1 MiB passes through four sizes
    /// (MemoryBudgetTests: pooled, 1,000 uploads of 1 MiB under a 64 MiB budget left 131 MiB live with 55 MiB
    /// reserved; unpooled, live stays within a few MiB of what is reserved). Uncompressed messages that large are rare,
    /// and cost at most twice their bytes in allocations.
    /// </summary>
    public const int LargestPooled = 64 * 1024;

    // Powers of two, as the shared pool's buckets: a message grows through few sizes, and asking the pool for a
    // power of two is asking for exactly what it hands out, so the charge is known before the rent.
    private const int LargestPowerOfTwo = 1 << 30;
    private const int Smallest = 16;

    /// <summary>The length of the array a rent of <paramref name="minimumLength"/> hands out.</summary>
    public static int RentedLength(int minimumLength) =>
        minimumLength > LargestPowerOfTwo ? minimumLength : (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(minimumLength, Smallest));

    /// <param name="poolAnySize">
    /// From the shared pool whatever the size: for an inflater's buffers, which a stream of small decompression bombs
    /// would otherwise turn into several times the message limit of garbage per message. Pass the same to
    /// <see cref="Return"/>.
    /// </param>
    /// <returns>False when <paramref name="budget"/> refused the array's length; then nothing was rented.</returns>
    public static bool TryRent(IBufferBudget? budget, int minimumLength, bool poolAnySize, [NotNullWhen(true)] out byte[]? buffer)
    {
        int length = RentedLength(minimumLength);
        if (budget is not null && !budget.TryReserve(length))
        {
            buffer = null;
            return false;
        }

        buffer = poolAnySize || length <= LargestPooled ? ArrayPool<byte>.Shared.Rent(length) : GC.AllocateUninitializedArray<byte>(length);
        Debug.Assert(buffer.Length == length, "the shared pool handed out another length than its bucket's");
        return true;
    }

    /// <summary>Gives back a buffer from <see cref="TryRent"/> and releases its charge.</summary>
    public static void Return(IBufferBudget? budget, byte[] buffer, bool poolAnySize)
    {
        budget?.Release(buffer.Length);
        if (poolAnySize || buffer.Length <= LargestPooled)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
