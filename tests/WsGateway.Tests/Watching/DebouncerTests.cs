using System.Collections.Concurrent;
using System.Diagnostics;
using WsGateway.Watching;

namespace WsGateway.Tests.Watching;

public sealed class DebouncerTests
{
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task Touches_closer_together_than_the_quiet_period_settle_once_after_the_last()
    {
        var settled = new ConcurrentQueue<(string Key, TimeSpan At)>();
        var clock = Stopwatch.StartNew();
        using var debouncer = new Debouncer(QuietPeriod, key => settled.Enqueue((key, clock.Elapsed)));

        // A build writing its files: touches microseconds apart, so even a loaded machine keeps them inside the
        // quiet period (a delay between them would make the test depend on the scheduler).
        var lastTouch = TimeSpan.Zero;
        for (var i = 0; i < 5; i++)
        {
            lastTouch = clock.Elapsed;
            debouncer.Touch("Greeter");
        }

        Assert.True(await Eventually.TrueAsync(() => !settled.IsEmpty, Eventually.Patience), "never settled");
        var (key, at) = Assert.Single(settled);
        Assert.Equal("Greeter", key);
        Assert.True(at - lastTouch >= QuietPeriod - TimeSpan.FromMilliseconds(20), $"settled {at - lastTouch} after the last touch");

        debouncer.Touch("Greeter");
        Assert.True(await Eventually.TrueAsync(() => settled.Count == 2, Eventually.Patience), "a later touch did not settle again");
    }

    [Fact]
    public async Task Each_key_settles_on_its_own()
    {
        var settled = new ConcurrentQueue<string>();
        using var debouncer = new Debouncer(QuietPeriod, settled.Enqueue);

        debouncer.Touch("A");
        debouncer.Touch("B");

        Assert.True(await Eventually.TrueAsync(() => settled.Count == 2, Eventually.Patience), $"settled: {string.Join(", ", settled)}");
        Assert.Equal(["A", "B"], settled.Order());
    }
}
