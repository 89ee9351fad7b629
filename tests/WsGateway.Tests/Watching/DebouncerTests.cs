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
        // A build writing its files: touches microseconds apart. Whether they really came closer together than the
        // quiet period is measured, not assumed: a run in which the machine stalled between two touches for half of it
        // proves nothing, and is made again with a quiet period twice as long.
        for (var quietPeriod = QuietPeriod; ; quietPeriod *= 2)
        {
            Assert.True(quietPeriod < Eventually.Patience, $"five touches in a row never came closer together than {quietPeriod / 4}");
            var settled = new ConcurrentQueue<(string Key, TimeSpan At)>();
            var clock = Stopwatch.StartNew();
            using var debouncer = new Debouncer(quietPeriod, key => settled.Enqueue((key, clock.Elapsed)));

            var touches = new (TimeSpan Before, TimeSpan After)[5];
            for (var i = 0; i < touches.Length; i++)
            {
                var before = clock.Elapsed;
                debouncer.Touch("Greeter");
                touches[i] = (before, clock.Elapsed);
            }

            // From before one touch to after the next: at least the time between the two. Half the quiet period leaves
            // room for the coarse tick count the debouncer reads.
            var widestGap = touches.Zip(touches.Skip(1), (first, next) => next.After - first.Before).Max();
            var lastTouch = touches[^1].Before;
            if (widestGap > quietPeriod / 2)
            {
                continue;
            }

            Assert.True(await Eventually.TrueAsync(() => !settled.IsEmpty, Eventually.Patience), "never settled");
            var (key, at) = Assert.Single(settled);
            Assert.Equal("Greeter", key);
            Assert.True(at - lastTouch >= quietPeriod - TimeSpan.FromMilliseconds(20), $"settled {at - lastTouch} after the last touch");

            var laterTouch = clock.Elapsed;
            debouncer.Touch("Greeter");
            Assert.True(await Eventually.TrueAsync(() => settled.Count == 2, Eventually.Patience), "a later touch did not settle again");
            Assert.True(settled.Last().At - laterTouch >= quietPeriod - TimeSpan.FromMilliseconds(20), "the second settle came before the later touch's quiet period");
            return;
        }
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
