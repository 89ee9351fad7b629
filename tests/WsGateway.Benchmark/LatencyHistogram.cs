using System.Numerics;

namespace WsGateway.Benchmark;

/// <summary>
/// Log-linear histogram of latencies in nanoseconds: exact below 128 ns, then 64 buckets per power of two, so any
/// percentile is within 1.6 % of the true value. Fixed size, no allocation per sample; one per connection, merged.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int ExactLimit = 128;
    private const int SubBucketBits = 6;
    private const int SubBuckets = 1 << SubBucketBits;
    private readonly long[] _counts = new long[ExactLimit + (63 - 7 + 1) * SubBuckets];

    public long Count { get; private set; }

    public long Max { get; private set; }

    public void Record(long nanoseconds)
    {
        long value = Math.Max(nanoseconds, 0);
        _counts[IndexOf(value)]++;
        Count++;
        Max = Math.Max(Max, value);
    }

    public void Add(LatencyHistogram other)
    {
        for (int i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Max = Math.Max(Max, other.Max);
    }

    /// <returns>The value at <paramref name="quantile"/> (0..1) in nanoseconds; 0 when empty.</returns>
    public double ValueAt(double quantile)
    {
        if (Count == 0)
        {
            return 0;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(quantile * Count));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(MidpointOf(i), Max);
            }
        }

        return Max;
    }

    private static int IndexOf(long value)
    {
        if (value < ExactLimit)
        {
            return (int)value;
        }

        int msb = 63 - BitOperations.LeadingZeroCount((ulong)value);
        int shift = msb - SubBucketBits;
        int sub = (int)(value >> shift) - SubBuckets;
        return ExactLimit + (msb - 7) * SubBuckets + sub;
    }

    private static double MidpointOf(int index)
    {
        if (index < ExactLimit)
        {
            return index;
        }

        int msb = 7 + (index - ExactLimit) / SubBuckets;
        int sub = (index - ExactLimit) % SubBuckets;
        int shift = msb - SubBucketBits;
        return ((long)(SubBuckets + sub) << shift) + ((1L << shift) / 2.0);
    }
}
