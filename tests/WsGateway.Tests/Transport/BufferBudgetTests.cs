using WsGateway.Transport;

namespace WsGateway.Tests.Transport;

public sealed class BufferBudgetTests
{
    [Fact]
    public void A_reservation_that_would_pass_the_budget_is_refused_counted_and_leaves_nothing_reserved()
    {
        var budget = new BufferBudget(() => 100);

        Assert.True(budget.TryReserve(60));
        Assert.False(budget.TryReserve(41));
        Assert.Equal(60, budget.Used);
        Assert.Equal(1, budget.Refusals);
        Assert.True(budget.TryReserve(40));
        Assert.Equal(100, budget.Used);

        budget.Release(100);
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public void Zero_means_no_budget()
    {
        var budget = new BufferBudget(() => 0);

        Assert.True(budget.TryReserve(long.MaxValue / 2));
        Assert.Equal(0, budget.Refusals);
    }

    [Fact]
    public void The_budget_is_read_at_every_reservation_so_a_reload_takes_effect()
    {
        long limit = 10;
        var budget = new BufferBudget(() => limit);
        Assert.False(budget.TryReserve(20));

        limit = 30;

        Assert.True(budget.TryReserve(20));
    }

    [Fact]
    public void Racing_reservations_never_take_more_than_the_budget_and_never_show_more_in_used()
    {
        const long Limit = 1000;
        var budget = new BufferBudget(() => Limit);
        long peak = 0;
        int granted = 0;
        // Each thread holds what it got, so the budget fills up and later reservations race for what is left.
        Parallel.For(0, 4, _ =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                if (budget.TryReserve(7))
                {
                    Interlocked.Increment(ref granted);
                }

                long used = budget.Used;
                long seen;
                while ((seen = Volatile.Read(ref peak)) < used && Interlocked.CompareExchange(ref peak, used, seen) != seen)
                {
                }
            }
        });

        Assert.Equal(Limit / 7, granted);
        Assert.Equal(granted * 7L, budget.Used);
        Assert.True(peak <= Limit, $"Used read {peak}");
        Assert.Equal(40_000 - granted, budget.Refusals);
    }
}
