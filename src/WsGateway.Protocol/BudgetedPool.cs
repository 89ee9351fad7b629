using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace WsGateway.Protocol;

/// <summary>
/// Rents from <see cref="ArrayPool{T}.Shared"/> against an <see cref="IBufferBudget"/>. The charge is the length of the
/// array handed out (what the pool really holds for the caller, not what was asked for), reserved before the rent and
/// released by <see cref="Return"/>.
/// </summary>
internal static class BudgetedPool
{
    // The shared pool keeps power-of-two buckets up to 2^30 and hands out the bucket's size, or an array of exactly the
    // size asked for past its largest bucket. Asking for a power of two is asking for what it will hand out, so the
    // charge is known before the rent.
    private const int LargestBucket = 1 << 30;
    private const int SmallestBucket = 16;

    /// <summary>The length of the array a rent of <paramref name="minimumLength"/> hands out.</summary>
    public static int RentedLength(int minimumLength) =>
        minimumLength > LargestBucket ? minimumLength : (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(minimumLength, SmallestBucket));

    /// <returns>False when <paramref name="budget"/> refused the array's length; then nothing was rented.</returns>
    public static bool TryRent(IBufferBudget? budget, int minimumLength, [NotNullWhen(true)] out byte[]? buffer)
    {
        int length = RentedLength(minimumLength);
        if (budget is not null && !budget.TryReserve(length))
        {
            buffer = null;
            return false;
        }

        buffer = ArrayPool<byte>.Shared.Rent(length);
        Debug.Assert(buffer.Length == length, "the shared pool handed out another length than its bucket's");
        return true;
    }

    /// <summary>Returns a buffer from <see cref="TryRent"/> and releases its charge.</summary>
    public static void Return(IBufferBudget? budget, byte[] buffer)
    {
        budget?.Release(buffer.Length);
        ArrayPool<byte>.Shared.Return(buffer);
    }
}
