using System.Collections.Concurrent;
using System.Net;
using Prometheus;

namespace WsGateway.Diagnostics;

/// <summary>
/// The gateway's Prometheus metrics. Each gateway has its own registry (tests run several in one process),
/// exposed at <c>/metrics</c>.
/// </summary>
internal sealed class GatewayMetrics
{
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly Gauge _connectionsOpen;
    private readonly Counter _connectionsTotal;
    private readonly Counter _handshakeFailures;
    private readonly Counter _messagesIn;
    private readonly Counter _messagesOut;
    private readonly Counter _bytesIn;
    private readonly Counter _bytesOut;
    private readonly Counter _socketSends;
    private readonly Counter _commands;

    // WithLabels allocates its label array on every call; commands are counted per message, so keep the children.
    private readonly ConcurrentDictionary<(string Command, CommandOutcome Outcome), Counter.Child> _commandChildren = new();
    private readonly Histogram _commandDuration;
    private readonly ConcurrentDictionary<string, Histogram.Child> _durationChildren = new(StringComparer.Ordinal);
    private readonly Counter _unknownCommands;
    private readonly Counter _rateLimited;
    private readonly Counter _sendBufferOverflows;
    private readonly Counter _reloads;
    private readonly Counter _reloadFailures;
    private readonly Counter.Child _busPublished;
    private readonly Counter.Child _busReceived;
    private readonly Gauge _busUp;
    private readonly Gauge _node;
    private readonly Counter _busDropped;

    private static readonly Prometheus.ExemplarBehavior NoExemplars = new() { DefaultExemplarProvider = static (_, _) => Prometheus.Exemplar.None };

    public GatewayMetrics()
    {
        var factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        // No exemplars: the gateway starts no traces, and asking for the current one on every increment costs the hot
        // paths (messages, commands) a lookup each time for nothing.
        factory.ExemplarBehavior = NoExemplars;
        _connectionsOpen = factory.CreateGauge("wsgateway_connections_open", "WebSocket connections open now.");
        _connectionsTotal = factory.CreateCounter("wsgateway_connections_total", "WebSocket connections accepted since start.");
        _handshakeFailures = factory.CreateCounter(
            "wsgateway_handshake_failures_total", "Upgrade requests refused or dropped, by reason.", "reason");
        _messagesIn = factory.CreateCounter("wsgateway_messages_received_total", "WebSocket messages received (data, not control frames).");
        _messagesOut = factory.CreateCounter("wsgateway_messages_sent_total", "WebSocket messages sent (data, not control frames).");
        _bytesIn = factory.CreateCounter("wsgateway_received_bytes_total", "Payload bytes of received messages.");
        _bytesOut = factory.CreateCounter("wsgateway_sent_bytes_total", "Payload bytes of sent messages.");
        _socketSends = factory.CreateCounter(
            "wsgateway_socket_sends_total",
            "Sends to sockets; each carries every frame queued for its connection, so fewer than messages sent means coalescing works.");
        _commands = factory.CreateCounter("wsgateway_commands_total", "Commands run, by command and outcome.", "command", "outcome");
        _commandDuration = factory.CreateHistogram(
            "wsgateway_command_duration_seconds",
            "How long commands ran, from their start to their last reply, by command (calls refused before running are not timed).",
            new HistogramConfiguration
            {
                LabelNames = ["command"],
                Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
            });
        _unknownCommands = factory.CreateCounter("wsgateway_unknown_commands_total", "Requests naming no known command.");
        _rateLimited = factory.CreateCounter("wsgateway_rate_limited_total", "Command messages over a connection's rate limit.");
        _sendBufferOverflows = factory.CreateCounter(
            "wsgateway_send_buffer_overflows_total", "Connections dropped because they stopped reading (Limits:SendBufferBytes).");
        _reloads = factory.CreateCounter("wsgateway_reloads_total", "Plugin loads and script compiles that went live, by kind.", "kind");
        _reloadFailures = factory.CreateCounter(
            "wsgateway_reload_failures_total", "Plugin loads and script compiles that failed, by kind.", "kind");
        var bus = factory.CreateCounter(
            "wsgateway_bus_messages_total",
            "Broadcasts and group messages: published on this node, or received from other nodes.", "direction");
        _busPublished = bus.WithLabels("published");
        _busReceived = bus.WithLabels("received");
        _busUp = factory.CreateGauge("wsgateway_cluster_bus_up", "1 while the cluster bus works (always, for a gateway without Cluster:Redis); 0 while Redis is unreachable.");
        _node = factory.CreateGauge("wsgateway_node_info", "Always 1; the label names this gateway in the cluster.", "node");
        _busDropped = factory.CreateCounter(
            "wsgateway_bus_dropped_total", "Broadcasts and group messages that could not be handed to Redis (it was unreachable): the other nodes never got them.");
    }

    /// <summary>Names this node and reads the bus's state at each scrape.</summary>
    public void WatchBus(string nodeId, Func<bool> busUp, Func<long> dropped)
    {
        _node.WithLabels(nodeId).Set(1);
        _registry.AddBeforeCollectCallback(() =>
        {
            _busUp.Set(busUp() ? 1 : 0);
            _busDropped.IncTo(dropped());
        });
    }

    /// <summary>Reads the buffered bytes (<c>Limits:MemoryBudgetBytes</c>) and the budget's refusals at each scrape.</summary>
    public void WatchBuffers(Func<long> used, Func<long> refusals)
    {
        var buffered = Prometheus.Metrics.WithCustomRegistry(_registry).CreateGauge(
            "wsgateway_buffered_bytes", "Bytes buffered for all connections now: messages being received and bytes waiting to be sent (Limits:MemoryBudgetBytes).");
        var refused = Prometheus.Metrics.WithCustomRegistry(_registry).CreateCounter(
            "wsgateway_memory_budget_refusals_total", "Messages and sends refused because they would pass Limits:MemoryBudgetBytes (their connection was closed).");
        _registry.AddBeforeCollectCallback(() =>
        {
            buffered.Set(used());
            refused.IncTo(refusals());
        });
    }

    public void BusMessage(bool published) => (published ? _busPublished : _busReceived).Inc();

    public void ConnectionOpened()
    {
        _connectionsOpen.Inc();
        _connectionsTotal.Inc();
    }

    public void ConnectionClosed() => _connectionsOpen.Dec();

    public void SocketSend() => _socketSends.Inc();

    /// <summary>Sends to sockets so far (for tests of coalescing).</summary>
    public double SocketSends => _socketSends.Value;

    /// <summary>Per command and version: calls, errors, denials, run times (the admin API's command view).</summary>
    public CommandStats Commands { get; } = new();

    /// <summary>The latest plugin loads and script compiles.</summary>
    public ReloadHistory Reloads { get; } = new();

    /// <summary>The latest handshake refusals, and their count by reason.</summary>
    public RecentRefusals Refusals { get; } = new();

    /// <param name="remote">The client, when known by then.</param>
    /// <param name="path">The requested path, when the request head was read.</param>
    public void HandshakeFailed(string reason, IPEndPoint? remote = null, string? path = null)
    {
        _handshakeFailures.WithLabels(reason).Inc();
        Refusals.Add(reason, remote, path);
    }

    public void MessageReceived(int bytes)
    {
        _messagesIn.Inc();
        _bytesIn.Inc(bytes);
    }

    /// <summary>
    /// One message of <paramref name="bytes"/> sent to <paramref name="recipients"/> connections: a reply to one, a
    /// broadcast or group message to many, counted once for all of them rather than per recipient.
    /// </summary>
    public void MessagesSent(int recipients, int bytes)
    {
        if (recipients > 0)
        {
            _messagesOut.Inc(recipients);
            _bytesOut.Inc((double)recipients * bytes);
        }
    }

    public void CommandRan(string command, CommandOutcome outcome) => CommandCounter(command, outcome).Inc();

    /// <summary>The <c>wsgateway_commands_total</c> child of <paramref name="command"/> and <paramref name="outcome"/>.</summary>
    public Counter.Child CommandCounter(string command, CommandOutcome outcome) =>
        _commandChildren.GetOrAdd((command, outcome), static (key, counter) =>
            counter.WithLabels(key.Command.ToLowerInvariant(), OutcomeLabel(key.Outcome)), _commands);

    /// <summary>Where <paramref name="command"/> at <paramref name="version"/> is counted and timed; for its sessions to keep.</summary>
    public CommandMeters MetersFor(string command, string? version) => new(this, command, version);

    /// <summary>The <c>wsgateway_command_duration_seconds</c> child of <paramref name="command"/>.</summary>
    public Histogram.Child DurationChild(string command) =>
        _durationChildren.GetOrAdd(command, static (name, histogram) => histogram.WithLabels(name.ToLowerInvariant()), _commandDuration);

    public void CommandUnknown() => _unknownCommands.Inc();

    public void RateLimited() => _rateLimited.Inc();

    public void SendBufferOverflow() => _sendBufferOverflows.Inc();

    /// <param name="kind"><c>plugin</c> or <c>script</c>.</param>
    public void Reloaded(string kind, bool succeeded) => (succeeded ? _reloads : _reloadFailures).WithLabels(kind).Inc();

    public Task ExportAsync(Stream destination, CancellationToken cancellationToken) =>
        _registry.CollectAndExportAsTextAsync(destination, cancellationToken);

    /// <summary>The <c>outcome</c> label of <paramref name="outcome"/>: <c>succeeded</c>, <c>timed_out</c>, ...</summary>
    public static string OutcomeLabel(CommandOutcome outcome) => outcome switch
    {
        CommandOutcome.Succeeded => "succeeded",
        CommandOutcome.Failed => "failed",
        CommandOutcome.TimedOut => "timed_out",
        CommandOutcome.Cancelled => "cancelled",
        CommandOutcome.Broken => "broken",
        CommandOutcome.Denied => "denied",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}
