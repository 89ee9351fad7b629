using System.Diagnostics;

namespace WsGateway.Testing;

/// <summary>
/// Polls a condition until it holds or a deadline passes, instead of sleeping for a guessed time. The one polling
/// helper of the test projects: tests/Shared is compiled into each of them.
/// </summary>
internal static class Eventually
{
    /// <summary>
    /// How long a test waits for something that must happen. Generous on purpose: on a busy two-core CI machine a
    /// first Roslyn compile alone takes seconds, and a deadline that is met quickly costs nothing. Only a hang reaches
    /// it. Speed is measured by the benchmark, not asserted here.
    /// </summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan ConditionInterval = TimeSpan.FromMilliseconds(20);

    // A probe asks the gateway something (a command, an HTTP request). At most 20 a second, a probe on a connection
    // stays clear of the default rate limit of 50 commands a second, which would answer it with an error.
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(50);

    /// <returns>True as soon as <paramref name="condition"/> holds; false if it still does not after <paramref name="within"/>.</returns>
    public static Task<bool> TrueAsync(Func<bool> condition, TimeSpan within) =>
        PollAsync(() => Task.FromResult(condition()), within, ConditionInterval);

    /// <inheritdoc cref="TrueAsync(Func{bool}, TimeSpan)"/>
    public static Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan within) =>
        PollAsync(condition, within, ProbeInterval);

    /// <summary>Probes until <paramref name="accept"/> takes the value, for at most <paramref name="within"/>.</summary>
    /// <returns>The accepted value, or the last one probed when none was accepted in time.</returns>
    public static async Task<T?> ValueAsync<T>(Func<Task<T?>> probe, Func<T?, bool> accept, TimeSpan within)
    {
        T? last = default;
        await PollAsync(async () => accept(last = await probe()), within, ProbeInterval);
        return last;
    }

    private static async Task<bool> PollAsync(Func<Task<bool>> condition, TimeSpan within, TimeSpan interval)
    {
        var started = Stopwatch.GetTimestamp();
        while (!await condition())
        {
            if (Stopwatch.GetElapsedTime(started) >= within)
            {
                return false;
            }

            await Task.Delay(interval);
        }

        return true;
    }
}
