using System.Diagnostics;

namespace WsGateway.Benchmark;

/// <summary>The phases of one run on the <see cref="Stopwatch"/> time line: warm-up, then measurement, then drain.</summary>
internal sealed class RunClock
{
    public static readonly double NanosecondsPerTick = 1e9 / Stopwatch.Frequency;

    public RunClock(double warmupSeconds, double durationSeconds)
    {
        Start = Stopwatch.GetTimestamp();
        MeasureFrom = Start + (long)(warmupSeconds * Stopwatch.Frequency);
        SendUntil = MeasureFrom + (long)(durationSeconds * Stopwatch.Frequency);
    }

    public long Start { get; }

    /// <summary>Echoes that arrive from here on are counted and timed.</summary>
    public long MeasureFrom { get; }

    /// <summary>No message is sent from here on, and echoes arriving later are not counted.</summary>
    public long SendUntil { get; }

    /// <summary>Nanoseconds (the histograms' unit) as microseconds rounded to 0.1, for the results.</summary>
    public static double Microseconds(double nanoseconds) => Math.Round(nanoseconds / 1000, 1);

    /// <summary>Waits until the <see cref="Stopwatch"/> reaches <paramref name="timestamp"/> (at once if it has).</summary>
    public static async Task DelayUntilAsync(long timestamp)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }
}
