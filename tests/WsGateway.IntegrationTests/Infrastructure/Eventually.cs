namespace WsGateway.IntegrationTests.Infrastructure;

/// <summary>Polls a condition until a deadline instead of sleeping for a fixed time.</summary>
public static class Eventually
{
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
