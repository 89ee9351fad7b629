using Prometheus;

namespace WsGateway.Diagnostics;

/// <summary>
/// Where one command at one version is counted and timed: its <c>wsgateway_commands_total</c> children (one per
/// outcome) and its duration histogram child, each made on its first use (a command never timed has no series), and
/// its admin statistics. Looked up once and kept
/// by the session that runs the command, so that counting a call looks nothing up.
/// </summary>
internal sealed class CommandMeters
{
    private readonly GatewayMetrics _metrics;
    private readonly Counter.Child?[] _ran = new Counter.Child?[Enum.GetValues<CommandOutcome>().Length];
    private Histogram.Child? _duration;
    private readonly CommandStatsEntry _stats;

    public CommandMeters(GatewayMetrics metrics, string command, string? version)
    {
        _metrics = metrics;
        Command = command;
        _stats = metrics.Commands.For(command, version);
    }

    public string Command { get; }

    /// <param name="seconds">The run time; negative for a call that did not run (denied, broken).</param>
    public void Record(CommandOutcome outcome, double seconds)
    {
        (_ran[(int)outcome] ??= _metrics.CommandCounter(Command, outcome)).Inc();
        if (seconds >= 0)
        {
            (_duration ??= _metrics.DurationChild(Command)).Observe(seconds);
        }

        _stats.Record(outcome, seconds);
    }
}
