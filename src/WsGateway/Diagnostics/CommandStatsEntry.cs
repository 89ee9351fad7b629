namespace WsGateway.Diagnostics;

/// <summary>
/// Calls, errors, denials and a latency histogram of one command at one version, since start. Updated by many
/// sessions at once with interlocked increments only: no lock and no allocation per call.
/// </summary>
/// <remarks>
/// Latencies fall into buckets whose bounds grow by a quarter each, from 50 µs to past a minute: a quantile is
/// answered with the upper bound of its bucket, so it is at most a quarter above the true value (and exact enough
/// to tell 2 ms from 200 ms, which is what an operator asks).
/// </remarks>
internal sealed class CommandStatsEntry(string command, string? version)
{
    private const double Smallest = 0.00005;
    private const double Growth = 1.25;
    private static readonly double[] UpperBounds = MakeBounds();

    // One more than the bounds: the last counts what took longer than the largest bound.
    private readonly long[] _buckets = new long[UpperBounds.Length + 1];
    private long _calls;
    private long _errors;
    private long _denials;

    public string Command { get; } = command;

    /// <summary>A plugin's version, a script's source hash; null for built-ins.</summary>
    public string? Version { get; } = version;

    public long Calls => Interlocked.Read(ref _calls);
    public long Errors => Interlocked.Read(ref _errors);
    public long Denials => Interlocked.Read(ref _denials);

    /// <summary>Counts a call; <paramref name="seconds"/> is its run time, negative for one that did not run (denied, broken).</summary>
    public void Record(CommandOutcome outcome, double seconds)
    {
        Interlocked.Increment(ref _calls);
        if (outcome == CommandOutcome.Denied)
        {
            Interlocked.Increment(ref _denials);
        }
        else if (outcome != CommandOutcome.Succeeded)
        {
            Interlocked.Increment(ref _errors);
        }

        if (seconds >= 0)
        {
            Interlocked.Increment(ref _buckets[BucketOf(seconds)]);
        }
    }

    /// <summary>The run time below which <paramref name="quantile"/> of the timed calls fell; null before any.</summary>
    public double? Quantile(double quantile)
    {
        long total = 0;
        for (int i = 0; i < _buckets.Length; i++)
        {
            total += Interlocked.Read(ref _buckets[i]);
        }

        if (total == 0)
        {
            return null;
        }

        long rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (int i = 0; i < _buckets.Length; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= rank && seen > 0)
            {
                return i < UpperBounds.Length ? UpperBounds[i] : double.PositiveInfinity;
            }
        }

        return double.PositiveInfinity;
    }

    private static int BucketOf(double seconds)
    {
        if (seconds <= Smallest)
        {
            return 0;
        }

        int index = (int)Math.Ceiling(Math.Log(seconds / Smallest, Growth));
        return Math.Min(index, UpperBounds.Length);
    }

    private static double[] MakeBounds()
    {
        var bounds = new List<double>();
        for (double bound = Smallest; bound < 120; bound *= Growth)
        {
            bounds.Add(bound);
        }

        return [.. bounds];
    }
}
