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
    // By session id: the messages a client sends find their session by it, and so do messages to one session.
    private readonly ConcurrentDictionary<string, CommandSession> _sessions = new(StringComparer.Ordinal);
    private readonly LiveOptions _options;

    // Sessions that speak wsgateway.v1: while there are none, a broadcast encodes only its plain-text frame.
    private int _protocolSessions;

    public CommandRoute(CommandRegistry registry, IMessageBus bus, LiveOptions options, GatewayMetrics metrics)
    {
        var history = options.Current.History;
        History = bus is RedisMessageBus redis ? new RedisHistoryStore(history, options.Current.Cluster, redis, redis.Log) : new MemoryHistoryStore(history);
        HistoryEnabled = history.Groups.Length > 0;
        Registry = registry;
        Bus = bus;
        _options = options;
        Metrics = metrics;
    }

    public CommandRegistry Registry { get; }
    public IMessageBus Bus { get; }

    /// <summary>What plugins run when a session opens and closes.</summary>
    public SessionHookRegistry Hooks { get; } = new();

    /// <summary>The kept messages of the groups <c>History:Groups</c> names.</summary>
    public IHistoryStore History { get; }

    /// <summary>True when some group keeps a history.</summary>
    public bool HistoryEnabled { get; }

    /// <summary>The groups the sessions of this node have joined.</summary>
    public GroupMembership<CommandSession> Groups { get; } = new();

    /// <summary>This node's authenticated sessions by identity name: the members of a user's audience.</summary>
    public GroupMembership<CommandSession> Users { get; } = new();

    /// <summary>Command sessions open on this node.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>Starts the bus: from now on messages from other nodes reach this node's sessions.</summary>
    public Task StartAsync(CancellationToken cancellationToken) =>
        Bus.StartAsync(DeliverRemoteAsync, () => _sessions.Count, AnswerLocally, cancellationToken);

    /// <summary>
    /// Asks every node of the cluster, this one included: which sessions match, or to close them. Other nodes get
    /// <paramref name="wait"/> to answer; the result names those that did not.
    /// </summary>
    public async Task<ClusterAnswer> AskClusterAsync(ClusterQuery query, TimeSpan wait, CancellationToken cancellationToken)
    {
        var local = AnswerLocally(query);
        var others = await Bus.AskAsync(query, wait, cancellationToken).ConfigureAwait(false);
        return others with { Answers = [local, .. others.Answers] };
    }

    /// <summary>This node's answer to <paramref name="query"/>: its matching sessions, how many of them it closed, or its activity.</summary>
    public NodeAnswer AnswerLocally(ClusterQuery query)
    {
        if (query.Kind == ClusterQueryKind.Activity)
        {
            return new NodeAnswer(Bus.NodeId, [], 0, ActivityReport.Json(Metrics));
        }

        IEnumerable<CommandSession> candidates = query.Session is { } id
            ? LocalSession(id) is { } one ? [one] : []
            : LocalSessions(query.User, query.Group);
        var matching = candidates.Where(s => query.Matches(s.Id, s.Identity.IsAuthenticated ? s.Identity.Name : null, s.Groups)).ToList();
        if (query.Kind == ClusterQueryKind.Disconnect)
        {
            Disconnect(matching, query.CloseCode, query.Reason ?? "");
            return new NodeAnswer(Bus.NodeId, [], matching.Count);
        }

        return new NodeAnswer(Bus.NodeId, [.. matching.Select(Summarize)], 0);
    }

    private SessionSummary Summarize(CommandSession session)
    {
        var (messagesIn, bytesIn) = session.Connection.Received;
        var (messagesOut, bytesOut) = session.Connection.Sender.Sent;
        return new(
            session.Id,
            session.Identity.IsAuthenticated ? session.Identity.Name : null,
            [.. session.Identity.Roles],
            Bus.NodeId,
            session.RemoteEndPoint?.ToString(),
            session.Path,
            session.ConnectedAt,
            [.. session.Groups.Order(StringComparer.Ordinal)],
            new SessionTraffic(messagesIn, bytesIn, messagesOut, bytesOut),
            session.Running is { } running ? new RunningCommand(running.Command, running.Since) : null);
    }

    /// <summary>
    /// Sends a message to this node's sessions in its audience, then hands it to the bus for the other nodes (unless it
    /// was for one session, found here). Local delivery never waits for the bus, so a bus outage costs other nodes'
    /// sessions, never this node's.
    /// </summary>
    /// <returns>How many sessions of this node it was sent to.</returns>
    /// <param name="untilKept">
    /// For a group that keeps a history: complete only once the history has kept it (see
    /// <see cref="IHistoryStore.PublishAsync"/>); a command's sends do not wait, an API publish does.
    /// </param>
    public ValueTask<int> PublishAsync(BusMessage message, CancellationToken cancellationToken, bool untilKept = false)
    {
        if (HistoryEnabled && message.To is { Kind: AudienceKind.Group, Name: { } group } && History.RuleFor(group) is { } rule)
        {
            return PublishKeptAsync(message, group, rule, untilKept, cancellationToken);
        }

        int delivered = DeliverLocally(message);
        Metrics.BusMessage(published: true);
        if (message.To.Kind == AudienceKind.Session && delivered > 0)
        {
            return ValueTask.FromResult(delivered);
        }

        var published = Bus.PublishAsync(message, cancellationToken);
        return published.IsCompletedSuccessfully ? ValueTask.FromResult(delivered) : AfterBusAsync(published, delivered);

        static async ValueTask<int> AfterBusAsync(ValueTask published, int delivered)
        {
            await published.ConfigureAwait(false);
            return delivered;
        }
    }

    /// <summary>
    /// A message to a group that keeps a history: the store gives it its offset and has it delivered in offset order,
    /// on this node directly (in memory) or through the bus like everywhere else (Redis).
    /// </summary>
    private async ValueTask<int> PublishKeptAsync(BusMessage message, string group, HistoryGroupOptions rule, bool untilKept, CancellationToken cancellationToken)
    {
        var delivered = await History.PublishAsync(message, rule, DeliverLocally, untilKept, cancellationToken).ConfigureAwait(false);
        Metrics.BusMessage(published: true);
        return delivered ?? Groups.Count(group);
    }

    /// <summary>Text from <paramref name="sender"/>'s command to everyone, a group, a user or a session.</summary>
    public async ValueTask PublishAsync(Audience to, string text, CommandSession? sender, CancellationToken cancellationToken) =>
        await PublishAsync(new BusMessage(to, text, Bus.NodeId, sender?.Id, sender?.Identity.Name), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// This node's sessions; only those of <paramref name="user"/> (authenticated as that name) and in
    /// <paramref name="group"/> when given. A snapshot: sessions may open and close while it is read.
    /// </summary>
    public IEnumerable<CommandSession> LocalSessions(string? user, string? group)
    {
        IEnumerable<CommandSession> sessions = user is not null ? Users.Members(user)
            : group is not null ? Groups.Members(group)
            : _sessions.Values;
        if (user is not null && group is not null)
        {
            sessions = sessions.Where(s => s.Groups.Contains(group, StringComparer.Ordinal));
        }

        return sessions;
    }

    /// <summary>This node's session <paramref name="id"/>, or null.</summary>
    public CommandSession? LocalSession(string id) => _sessions.GetValueOrDefault(id);

    /// <summary>
    /// Starts the close handshake of each session with <paramref name="code"/> and <paramref name="reason"/>, without
    /// waiting for the peers to answer it: one slow client must not hold up the caller (its close has its own timeout).
    /// </summary>
    public void Disconnect(IReadOnlyCollection<CommandSession> sessions, int code, string reason)
    {
        foreach (var session in sessions)
        {
            session.Log.Information("Closing {SessionId}: {Reason}", session.Id, reason);
            var closing = session.Connection.CloseAsync(code, reason);
            if (!closing.IsCompleted)
            {
                _ = closing.AsTask().ContinueWith(
                    static (task, log) => ((Serilog.ILogger)log!).Debug(task.Exception, "Close after a disconnect failed"),
                    session.Log, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
    }

    public GatewayMetrics Metrics { get; }
    public TimeSpan CommandTimeout => TimeSpan.FromSeconds(_options.Current.Commands.TimeoutSeconds);

    /// <summary>The <c>Commands</c> options in force.</summary>
    public CommandOptions CommandOptions => _options.Current.Commands;

    /// <summary>How long a cluster-wide question waits for the other nodes (<c>Cluster:QueryTimeoutSeconds</c>).</summary>
    public TimeSpan ClusterQueryTimeout => TimeSpan.FromSeconds(_options.Current.Cluster.QueryTimeoutSeconds);

    /// <summary>
    /// <c>wsgateway.v1</c> when the client offered it (docs/protocol.md); otherwise the first of
    /// <c>Commands:Subprotocols</c> (the gateway's order of preference) that the client offered.
    /// </summary>
    public string? SelectSubprotocol(IReadOnlyList<string> offered)
    {
        if (offered.Contains(CallProtocol.Name, StringComparer.Ordinal))
        {
            return CallProtocol.Name;
        }

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
        var session = new CommandSession(connection, this);
        _sessions[connection.Id] = session;
        if (session.Identity.IsAuthenticated)
        {
            Users.Join(session.Identity.Name, session);
        }

        if (session.SpeaksProtocol)
        {
            Interlocked.Increment(ref _protocolSessions);
        }

        var hooks = Hooks.Current;
        if (hooks.Length > 0)
        {
            // The welcome waits for them: what they join is in place when the client hears it is connected.
            session.StartOpening(hooks, Bus.NodeId);
        }
        else if (session.SpeaksProtocol)
        {
            // Queued behind the 101 and ahead of anything else, as the protocol promises.
            session.Replies.QueueWelcome(session, Bus.NodeId);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask OnMessageAsync(IWebSocketConnection connection, Opcode opcode, ReadOnlyMemory<byte> payload)
    {
        if (opcode == Opcode.Binary && !_options.Current.Commands.AllowBinary)
        {
            return connection.CloseAsync(CloseStatus.UnsupportedData, "binary messages are not accepted on the command route");
        }

        // Binary messages, when allowed, carry the same UTF-8 command text; the parser copies what it keeps.
        if (!_sessions.TryGetValue(connection.Id, out var session))
        {
            return ValueTask.CompletedTask;
        }

        if (opcode == Opcode.Binary && !Utf8.IsValid(payload.Span))
        {
            return session.EnqueueAsync(CommandRequest.Invalid(null, CallErrors.BadFrame, "binary messages must hold UTF-8 command text"));
        }

        var request = session.SpeaksProtocol ? CallFrameReader.Read(payload.Span) : CommandRequestParser.Parse(payload.Span);
        var commands = _options.Current.Commands;
        if (!session.RateLimit.TryTake(commands.MessagesPerSecond, commands.Burst))
        {
            Metrics.RateLimited();
            if (commands.RateLimitAction == RateLimitAction.Close)
            {
                return CloseOverRateAsync(connection, commands.MessagesPerSecond);
            }

            // Queued like any request so the error comes back in request order.
            request = request with
            {
                Error = $"rate limit exceeded: at most {commands.MessagesPerSecond:0.###} commands per second (bursts of {commands.Burst}); this one was dropped",
                ErrorCode = CallErrors.RateLimited,
            };
        }

        if (session.SpeaksProtocol && request.Error is null && !session.TryBeginCall(request.Id!))
        {
            // Answered in request order like any error; the earlier call with this id goes on.
            request = request with { Error = "a call with this id is still in flight; this one was not run", ErrorCode = CallErrors.DuplicateId };
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
        if (_sessions.TryRemove(connection.Id, out var session))
        {
            session.Stop();
            if (session.Identity.IsAuthenticated)
            {
                Users.Leave(session.Identity.Name, session);
            }

            if (Hooks.Current is { Length: > 0 } hooks)
            {
                // In the background: a slow hook must not hold up the connection's end.
                _ = session.CloseHooksAsync(hooks);
            }

            if (session.SpeaksProtocol)
            {
                Interlocked.Decrement(ref _protocolSessions);
            }
        }

        return ValueTask.CompletedTask;
    }

    public Task DrainAsync(IWebSocketConnection connection, string reason, CancellationToken cancellationToken) =>
        _sessions.TryGetValue(connection.Id, out var session) ? session.DrainAsync(reason, cancellationToken) : Task.CompletedTask;

    private ValueTask DeliverRemoteAsync(BusMessage message)
    {
        Metrics.BusMessage(published: false);
        DeliverLocally(message);
        return ValueTask.CompletedTask;
    }

    /// <returns>How many of this node's sessions it was sent to.</returns>
    private int DeliverLocally(BusMessage message)
    {
        // Encoded once per protocol; every recipient gets a copy of the same frame bytes.
        var frames = new FanOutFrames(EncodedFrame.Text(message.PlainText),
            Volatile.Read(ref _protocolSessions) > 0 ? EncodedFrame.Text(CallProtocol.Event(message)) : null);
        int delivered = 0;
        // Every recipient's send is queued once all are written, not one by one while the loop goes on: a publish from
        // the API or the bus is not inside a command worker's batch, and without its own the send queues would be woken
        // for each recipient. Inside a worker's batch this one is nested and changes nothing.
        FanOutBatch.Begin();
        try
        {
            switch (message.To.Kind)
            {
                case AudienceKind.Group:
                    delivered = Groups.ForEach(message.To.Name!, frames, static (session, frames) => Send(session, frames));
                    break;
                case AudienceKind.User:
                    delivered = Users.ForEach(message.To.Name!, frames, static (session, frames) => Send(session, frames));
                    break;
                case AudienceKind.Session:
                    delivered = _sessions.TryGetValue(message.To.Name!, out var one) && Send(one, frames) ? 1 : 0;
                    break;
                default:
                    // Enumerating the dictionary itself takes no lock and copies nothing (its Keys property would copy all).
                    foreach (var (_, session) in _sessions)
                    {
                        if (Send(session, frames))
                        {
                            delivered++;
                        }
                    }

                    break;
            }
        }
        finally
        {
            FanOutBatch.End();
        }

        Metrics.MessagesSent(delivered, frames.Text.PayloadLength);
        return delivered;
    }

    // Queued and scheduled, never awaited: one slow reader must not hold up the rest; its send-buffer limit bounds
    // what waits for it. A session that joined the protocol after the frames were encoded gets the text frame.
    private static bool Send(CommandSession session, FanOutFrames frames) =>
        session.Connection.Sender.Send(session.SpeaksProtocol && frames.Protocol is { } protocol ? protocol : frames.Text);

    /// <summary>One message encoded for plain-text sessions and, when any is connected, for <c>wsgateway.v1</c> ones.</summary>
    private readonly record struct FanOutFrames(EncodedFrame Text, EncodedFrame? Protocol);
}
