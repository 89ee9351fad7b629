using Prometheus;
using WsGateway.Commands;

namespace WsGateway.Diagnostics;

/// <summary>
/// The gateway's Prometheus metrics. Each gateway has its own registry (tests run several in one process),
/// exposed at <c>/metrics</c>.
/// </summary>
internal sealed class GatewayMetrics
{
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly Counter _commands;
    private readonly Counter _unknownCommands;

    public GatewayMetrics()
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        _commands = factory.CreateCounter(
            "wsgateway_commands_total", "Commands run, by command and outcome.",
            new CounterConfiguration { LabelNames = ["command", "outcome"] });
        _unknownCommands = factory.CreateCounter("wsgateway_unknown_commands_total", "Requests naming no known command.");
    }

    public void CommandRan(string command, CommandOutcome outcome) =>
        _commands.WithLabels(command.ToLowerInvariant(), OutcomeLabel(outcome)).Inc();

    public void CommandUnknown() => _unknownCommands.Inc();

    public Task ExportAsync(Stream destination, CancellationToken cancellationToken) =>
        _registry.CollectAndExportAsTextAsync(destination, cancellationToken);

    private static string OutcomeLabel(CommandOutcome outcome) => outcome switch
    {
        CommandOutcome.Succeeded => "succeeded",
        CommandOutcome.Failed => "failed",
        CommandOutcome.TimedOut => "timed_out",
        _ => "cancelled",
    };
}
