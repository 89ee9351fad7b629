using WsGateway.Diagnostics;

namespace WsGateway.Tests.Diagnostics;

public sealed class CommandStatsTests
{
    [Fact]
    public void Calls_errors_and_denials_are_counted_and_only_runs_are_timed()
    {
        var entry = new CommandStats().For("greet", "1.0.0");
        entry.Record(CommandOutcome.Succeeded, 0.002);
        entry.Record(CommandOutcome.Failed, 0.004);
        entry.Record(CommandOutcome.TimedOut, 10);
        entry.Record(CommandOutcome.Denied, -1);
        entry.Record(CommandOutcome.Broken, -1);

        Assert.Equal((5, 3, 1), (entry.Calls, entry.Errors, entry.Denials));
        Assert.InRange(entry.Quantile(0.5)!.Value, 0.004, 0.004 * 1.25);
        Assert.InRange(entry.Quantile(0.99)!.Value, 10, 10 * 1.25);
    }

    [Fact]
    public void Quantiles_are_within_a_quarter_above_the_true_value()
    {
        var entry = new CommandStats().For("work", null);
        for (int i = 1; i <= 1000; i++)
        {
            entry.Record(CommandOutcome.Succeeded, i / 1000.0);
        }

        Assert.InRange(entry.Quantile(0.5)!.Value, 0.5, 0.5 * 1.25);
        Assert.InRange(entry.Quantile(0.99)!.Value, 0.99, 0.99 * 1.25);
    }

    [Fact]
    public void Before_any_timed_call_there_is_no_quantile_and_the_tiniest_and_the_slowest_still_count()
    {
        var entry = new CommandStats().For("quiet", null);
        Assert.Null(entry.Quantile(0.5));
        entry.Record(CommandOutcome.Succeeded, 0);
        Assert.Equal(0.00005, entry.Quantile(0.5));
        entry.Record(CommandOutcome.Succeeded, 1e6);
        Assert.Equal(double.PositiveInfinity, entry.Quantile(1));
    }

    [Fact]
    public void Each_version_of_a_command_has_its_own_row()
    {
        var stats = new CommandStats();
        stats.For("stamp", "aaaa").Record(CommandOutcome.Succeeded, 0.001);
        stats.For("stamp", "bbbb").Record(CommandOutcome.Succeeded, 0.001);
        stats.For("stamp", "bbbb").Record(CommandOutcome.Succeeded, 0.001);
        stats.For("echo", null).Record(CommandOutcome.Succeeded, 0.001);

        Assert.Equal([("echo", null, 1L), ("stamp", "aaaa", 1), ("stamp", "bbbb", 2)],
            stats.Snapshot().Select(e => (e.Command, e.Version, e.Calls)));
        Assert.Same(stats.For("stamp", "bbbb"), stats.For("stamp", "bbbb"));
    }

    [Fact]
    public void Timing_a_command_allocates_nothing_once_its_meters_exist()
    {
        var metrics = new GatewayMetrics();
        var meters = metrics.MetersFor("greet", "1.0.0");
        for (int i = 0; i < 100; i++)
        {
            meters.Record(CommandOutcome.Succeeded, 0.001);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            meters.Record(CommandOutcome.Succeeded, 0.001);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1100, metrics.Commands.For("greet", "1.0.0").Calls);
    }
}
