using System.Diagnostics;

namespace WsGateway.Tests.Scripts;

/// <summary>Polls a condition until it holds or a deadline passes: tests never sleep for a fixed time.</summary>
internal static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);

    /// <summary>The deadline for anything that waits on a compile: generous, because CI machines have 2 busy cores.</summary>
    public static readonly TimeSpan CompileDeadline = TimeSpan.FromSeconds(30);

    /// <returns>How long the condition took to hold.</returns>
    public static Task<TimeSpan> HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        HoldsAsync(() => ValueTask.FromResult(condition()), what, timeout);

    /// <returns>How long the condition took to hold.</returns>
    public static async Task<TimeSpan> HoldsAsync(Func<ValueTask<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = timeout ?? CompileDeadline;
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started) > deadline)
            {
                Assert.Fail($"Timed out after {deadline.TotalSeconds:0.#} s waiting for: {what}");
            }

            await Task.Delay(Interval);
        }

        return Stopwatch.GetElapsedTime(started);
    }
}
