namespace WsGateway.IntegrationTests.Infrastructure;

/// <summary>Polls a condition until a deadline instead of sleeping for a fixed time.</summary>
public static class Eventually
{
    /// <summary>
    /// How long a test waits for something that must happen. Generous on purpose: on a busy two-core CI machine a
    /// first Roslyn compile alone takes seconds, and a deadline that is met quickly costs nothing.
    /// Speed is measured by the benchmark, not asserted here.
    /// </summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(20);
        }

        return condition();
    }

    public static async Task<T?> ValueAsync<T>(Func<Task<T?>> probe, Func<T?, bool> accept, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        T? last;
        do
        {
            last = await probe();
            if (accept(last))
            {
                return last;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        return last;
    }
}
