namespace WsGateway.Tests.Plugins;

/// <summary>Waits for a condition with a deadline instead of sleeping for a guessed time.</summary>
internal static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(25);

    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not true within {timeout.TotalSeconds:0.#} s: {describe()}");
            }

            await Task.Delay(Interval);
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not true within {timeout.TotalSeconds:0.#} s: {describe()}");
            }

            await Task.Delay(Interval);
        }
    }
}
