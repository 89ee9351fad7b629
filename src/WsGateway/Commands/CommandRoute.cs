using System.Collections.Concurrent;
using System.Text.Unicode;
using WsGateway.Broadcasting;
using WsGateway.Connections;
using WsGateway.Diagnostics;
using WsGateway.Options;
using WsGateway.Protocol;
using WsGateway.Transport;

namespace WsGateway.Commands;

/// <summary>The command route: each text message runs one command from the <see cref="CommandRegistry"/>.</summary>
internal sealed class CommandRoute : IWebSocketRoute
{
    private readonly ConcurrentDictionary<IWebSocketConnection, CommandSession> _sessions = new();
    private readonly LiveOptions _options;

    public CommandRoute(CommandRegistry registry, IMessageBus bus, LiveOptions options, GatewayMetrics metrics)
    {
        Registry = registry;
        Bus = bus;
        _options = options;
        Metrics = metrics;
    }

    public CommandRegistry Registry { get; }
    public IMessageBus Bus { get; }

    /// <summary>The groups the sessions of this node have joined.</summary>
    public GroupMembership<CommandSession> Groups { get; } = new();

    /// <summary>Command sessions open on this node.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Starts the bus: from now on messages from other nodes reach this node's sessions.</summary>
    public Task StartAsync(CancellationToken cancellationToken) =>
        Bus.StartAsync(DeliverRemoteAsync, () => _sessions.Count, cancellationToken);

    /// <summary>
    /// Sends a broadcast or group message to this node's sessions, then hands it to the bus for the other nodes. Local
    /// delivery never waits for the bus, so a bus outage costs other nodes' sessions, never this node's.
    /// </summary>
    public ValueTask PublishAsync(string? group, string text, CancellationToken cancellationToken)
    {
        var message = new BusMessage(group, text, Bus.NodeId);
        DeliverLocally(message);
        Metrics.BusMessage(published: true);
        return Bus.PublishAsync(message, cancellationToken);
    }
    public GatewayMetrics Metrics { get; }
    public TimeSpan CommandTimeout => TimeSpan.FromSeconds(_options.Current.Commands.TimeoutSeconds);

    /// <summary>The first of <c>Commands:Subprotocols</c> (the gateway's order of preference) that the client offered.</summary>
    public string? SelectSubprotocol(IReadOnlyList<string> offered)
    {
        foreach (var protocol in _options.Current.Commands.Subprotocols)
        {
            if (offered.Contains(protocol, StringComparer.Ordinal))
            {
                return protocol;
            }
        }

        return null;
    }

    public ValueTask OnOpenAsync(IWebSocketConnection connection)
    {
        // The session's queue and worker start with its first request.
        _sessions[connection] = new CommandSession(connection, this);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnMessageAsync(IWebSocketConnection connection, Opcode opcode, ReadOnlyMemory<byte> payload)
    {
        if (opcode == Opcode.Binary && !_options.Current.Commands.AllowBinary)
        {
            return connection.CloseAsync(CloseStatus.UnsupportedData, "binary messages are not accepted on the command route");
        }

        // Binary messages, when allowed, carry the same UTF-8 command text; the parser copies what it keeps.
        if (!_sessions.TryGetValue(connection, out var session))
        {
            return ValueTask.CompletedTask;
        }

        if (opcode == Opcode.Binary && !Utf8.IsValid(payload.Span))
        {
            return session.EnqueueAsync(new CommandRequest(null, "", "", "binary messages must hold UTF-8 command text"));
        }

        var request = CommandRequestParser.Parse(payload.Span);
        var commands = _options.Current.Commands;
        if (!session.RateLimit.TryTake(commands.MessagesPerSecond, commands.Burst))
        {
            Metrics.RateLimited();
            if (commands.RateLimitAction == RateLimitAction.Close)
            {
                return CloseOverRateAsync(connection, commands.MessagesPerSecond);
            }

            // Queued like any request so the error comes back in request order.
            request = request with { Error = $"rate limit exceeded: at most {commands.MessagesPerSecond:0.###} commands per second (bursts of {commands.Burst}); this one was dropped" };
        }

        return session.EnqueueAsync(request);
    }

    /// <summary>
    /// Off the receive loop's thread first: it may be the socket engine's, where no log line is written
    /// (<see cref="SocketThread"/>). The loop waits for this before it reads on, so nothing overtakes the close.
    /// </summary>
    private static async ValueTask CloseOverRateAsync(IWebSocketConnection connection, double messagesPerSecond)
    {
        await SocketThread.Leave();
        connection.Log.Information("Closing {SessionId}: over {MessagesPerSecond} commands per second", connection.Id, messagesPerSecond);
        await connection.CloseAsync(CloseStatus.PolicyViolation, "rate limit exceeded");
    }

    public ValueTask OnClosedAsync(IWebSocketConnection connection)
    {
        if (_sessions.TryRemove(connection, out var session))
        {
            session.Stop();
        }

        return ValueTask.CompletedTask;
    }

    public Task DrainAsync(IWebSocketConnection connection, string reason, CancellationToken cancellationToken) =>
        _sessions.TryGetValue(connection, out var session) ? session.DrainAsync(reason, cancellationToken) : Task.CompletedTask;

    private ValueTask DeliverRemoteAsync(BusMessage message)
    {
        Metrics.BusMessage(published: false);
        DeliverLocally(message);
        return ValueTask.CompletedTask;
    }

    private void DeliverLocally(BusMessage message)
    {
        // Encoded once; every recipient gets a copy of the same frame bytes.
        var frame = EncodedFrame.Text(message.Text);
        int delivered = 0;
        if (message.Group is { } group)
        {
            delivered = Groups.ForEach(group, frame, static (session, frame) => Send(session.Connection, frame));
        }
        else
        {
            // Enumerating the dictionary itself takes no lock and copies nothing (its Keys property would copy all).
            foreach (var (connection, _) in _sessions)
            {
                if (Send(connection, frame))
                {
                    delivered++;
                }
            }
        }

        Metrics.MessagesSent(delivered, frame.PayloadLength);
    }

    // Queued and scheduled, never awaited: one slow reader must not hold up the rest; its send-buffer limit bounds
    // what waits for it.
    private static bool Send(IWebSocketConnection connection, EncodedFrame frame) => connection.Sender.Send(frame);
}
