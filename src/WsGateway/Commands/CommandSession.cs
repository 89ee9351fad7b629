using System.Diagnostics;
using System.Net;
using System.Threading.Channels;
using Serilog;
using Serilog.Events;
using WsGateway.Broadcasting;
using WsGateway.Connections;
using WsGateway.Contracts;
using WsGateway.Diagnostics;
using WsGateway.Options;
using WsGateway.Protocol;
using WsGateway.Transport;

namespace WsGateway.Commands;

/// <summary>
/// A connection on the command route: a queue of requests run one at a time, in arrival order, so replies come back
/// in request order while other connections run concurrently.
/// </summary>
internal sealed class CommandSession : ISession
{
    // Bounded so a client that floods faster than its commands run is slowed by TCP back-pressure, not buffered.
    // No synchronous continuations: the writer is the receive loop, which may run on the socket engine's thread, and
    // the worker it would wake must run on the thread pool, not there (SocketThread). So must the receive loop once a
    // full queue made it wait.
    private static readonly BoundedChannelOptions QueueOptions = new(capacity: 64)
    {
        SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait, AllowSynchronousContinuations = false,
    };

    // The queue until the first request, and for good when a drain or stop came first: completed, so a write to it
    // fails as a write to a drained queue does.
    private static readonly Channel<CommandRequest> NoQueue = CompletedQueue();

    // How long a drain that ran out of time still waits for the cut-off command and the queued requests to be answered.
    private static readonly TimeSpan CutOffGrace = TimeSpan.FromSeconds(1);

    private readonly CommandRoute _route;

    // The queue and its worker are made for the first request (StartWorker): an idle session holds neither, which
    // saves about 1 KB per connection (the channel with its waiting reader and writer, and two state machines).
    // _queue is written only by the receive loop, before _worker publishes it; _worker is null until then, and
    // Task.CompletedTask when a drain or stop came first.
    private Channel<CommandRequest> _queue = NoQueue;
    private Task? _worker;

    private CancellationTokenSource? _commandTimeout;
    private CancellationTokenSource? _cutOff;
    private string _cutOffReason = string.Empty;
    private readonly SessionGroups<CommandSession> _groups;

    // Made on first use, like the queue: most sessions never reply or keep an item.
    private SessionReplies? _replies;
    private Dictionary<string, object?>? _items;
    private TokenBucket _rateLimit;

    // The session's opening hooks, which its first command waits for: true once they let it open.
    private static readonly Task<bool> Open = Task.FromResult(true);
    private Task<bool> _opening = Open;

    // wsgateway.v1 only: the ids of the calls queued or running, which a new call may not reuse. Touched by the
    // receive loop (a call arrives) and the worker (it ends), under its own lock.
    private MetersOf? _lastMeters;
    private HashSet<string>? _callsInFlight;

    // The command running now, and its Stopwatch timestamp: read by the admin API from other threads.
    private CommandDescriptor? _running;
    private long _runningStarted;

    public CommandSession(IWebSocketConnection connection, CommandRoute route)
    {
        Connection = connection;
        _route = route;
        _groups = new SessionGroups<CommandSession>(route.Groups, this);
        SpeaksProtocol = connection.Subprotocol == CallProtocol.Name;
    }

    public IWebSocketConnection Connection { get; }

    /// <summary>The client asked for <c>wsgateway.v1</c> (docs/protocol.md): frames are JSON and every call ends with one final frame.</summary>
    public bool SpeaksProtocol { get; }

    /// <summary>Where every reply of this session is written (one instance: its lock orders the replies).</summary>
    public SessionReplies Replies
    {
        get
        {
            if (Volatile.Read(ref _replies) is { } replies)
            {
                return replies;
            }

            var created = new SessionReplies(Connection.Sender, SpeaksProtocol);
            return Interlocked.CompareExchange(ref _replies, created, null) ?? created;
        }
    }
    public string Id => Connection.Id;
    public IPEndPoint? RemoteEndPoint => Connection.RemoteEndPoint;
    public DateTimeOffset ConnectedAt => Connection.ConnectedAt;
    public string Path => Connection.Path;
    public CallerIdentity Identity => Connection.Identity;
    public IDictionary<string, object?> Items
    {
        get
        {
            if (Volatile.Read(ref _items) is { } items)
            {
                return items;
            }

            var created = new Dictionary<string, object?>(StringComparer.Ordinal);
            return Interlocked.CompareExchange(ref _items, created, null) ?? created;
        }
    }
    public ILogger Log => Connection.Log;

    /// <summary>Touched only by the connection's receive loop.</summary>
    public ref TokenBucket RateLimit => ref _rateLimit;

    /// <summary>Queues a request. Called by the connection's receive loop only.</summary>
    public async ValueTask EnqueueAsync(CommandRequest request)
    {
        if (Volatile.Read(ref _worker) is null)
        {
            StartWorker();
        }

        try
        {
            await _queue.Writer.WriteAsync(request, Connection.Closed);
        }
        catch (ChannelClosedException)
        {
            // Draining for shutdown: requests that arrive now are not taken; the close frame follows.
        }
    }

    /// <summary>
    /// Stops taking requests and waits for the queued ones to finish. If <paramref name="cancellationToken"/> fires
    /// first, the command running is cut off, and it and every request still queued are answered with an error that
    /// gives <paramref name="reason"/>: no accepted request goes unanswered before the close frame.
    /// </summary>
    public async Task DrainAsync(string reason, CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _worker, Task.CompletedTask, null) is not { } worker)
        {
            // No request came: nothing to wait for, and none is taken from now on.
            return;
        }

        _queue.Writer.TryComplete();
        try
        {
            await worker.WaitAsync(cancellationToken);
            return;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        Volatile.Write(ref _cutOffReason, reason);
        CutOff().Cancel();
        try
        {
            // Nothing runs any more, so this is quick; a command that ignores its token is left behind by WaitAsync.
            await worker.WaitAsync(CutOffGrace);
        }
        catch (TimeoutException)
        {
        }
    }

    /// <summary>
    /// Whether the caller's credential has expired. With <c>Authentication:OnExpiry</c> = <c>Close</c> the connection
    /// is closed by its liveness check; until then (and always with <c>RefuseCommands</c>) no command runs.
    /// </summary>
    private bool CredentialExpired() => Identity.ExpiresAt is { } expires && expires <= DateTimeOffset.UtcNow;

    public void Stop()
    {
        if (Interlocked.CompareExchange(ref _worker, Task.CompletedTask, null) is not null)
        {
            _queue.Writer.TryComplete();
        }

        _groups.LeaveAll();
    }

    public IReadOnlyCollection<string> Groups => _groups.Names;

    /// <summary>Joins <paramref name="group"/>, which a command or hook named: an invalid name throws.</summary>
    public ValueTask JoinGroupAsync(string group)
    {
        GroupNames.ThrowIfInvalid(group);
        _groups.Join(group);
        return ValueTask.CompletedTask;
    }

    /// <summary>Leaves <paramref name="group"/>, which a command or hook named: an invalid name throws.</summary>
    public ValueTask LeaveGroupAsync(string group)
    {
        GroupNames.ThrowIfInvalid(group);
        _groups.Leave(group);
        return ValueTask.CompletedTask;
    }

    /// <summary>Text from this session's command to everyone, a group, a user or one session, on every node.</summary>
    public ValueTask SendAsync(Audience to, string text, CancellationToken cancellationToken)
    {
        // What a command or hook named: a bad address or no text throws at once, in the caller's code.
        ArgumentNullException.ThrowIfNull(text);
        if (to.Kind == AudienceKind.Group)
        {
            GroupNames.ThrowIfInvalid(to.Name);
        }
        else if (to.Problem is { } problem)
        {
            throw new ArgumentException($"Cannot send to {problem}.", nameof(to));
        }

        return _route.PublishAsync(to, text, this, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="hooks"/>' <see cref="ISessionHook.OnOpenedAsync"/> in the background, then welcomes the
    /// client (<c>wsgateway.v1</c>) or closes the session as a hook refused it. Called when the session opens, before
    /// any request: its commands wait for this (<see cref="RunQueueAsync"/>), the connection's receive loop does not.
    /// </summary>
    public void StartOpening(IReadOnlyList<SessionHook> hooks, string node) => _opening = OpenAsync(hooks, node);

    private async Task<bool> OpenAsync(IReadOnlyList<SessionHook> hooks, string node)
    {
        await SocketThread.Leave();
        (int Code, string Reason)? refusal = null;
        foreach (var hook in hooks)
        {
            var context = await RunHookAsync(hook, opening: true);
            if (context is null)
            {
                refusal = (CloseStatus.InternalError, "session hook failed");
                break;
            }

            if (context.Refusal is { } refused)
            {
                Log.Information("Session {SessionId} of {User} refused by {Hook} with {CloseCode}: {Reason}", Id, Identity.Name, hook.Source, refused.Code, refused.Reason);
                refusal = refused;
                break;
            }
        }

        if (refusal is { } close)
        {
            await Connection.CloseAsync(close.Code, close.Reason);
            return false;
        }

        if (SpeaksProtocol)
        {
            Replies.QueueWelcome(this, node);
            await SocketThread.LeaveAfter(Connection.Sender.FlushAsync());
        }

        return true;
    }

    /// <summary>Runs the closing hooks after the opening ones, in the background; failures are only logged.</summary>
    public async Task CloseHooksAsync(IReadOnlyList<SessionHook> hooks)
    {
        await _opening.ConfigureAwait(false);
        await SocketThread.Leave();
        foreach (var hook in hooks)
        {
            await RunHookAsync(hook, opening: false);
        }
    }

    /// <returns>The hook's context once it returned in time; null when it threw or ran out of time (logged).</returns>
    private async Task<SessionHookContext?> RunHookAsync(SessionHook hook, bool opening)
    {
        // A closing hook runs after the connection has gone, so only its own time bounds it.
        using var timeout = opening ? CancellationTokenSource.CreateLinkedTokenSource(Connection.Closed) : new CancellationTokenSource();
        timeout.CancelAfter(_route.CommandTimeout);
        var context = new SessionHookContext(this, hook, opening, timeout.Token);
        var stage = opening ? "opening" : "closing";
        try
        {
            var run = opening ? hook.Hook.OnOpenedAsync(context) : hook.Hook.OnClosedAsync(context);
            // WaitAsync, so that a hook ignoring its token is left behind instead of holding the session.
            await run.AsTask().WaitAsync(timeout.Token);
            return context;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            if (Connection.Closed.IsCancellationRequested && opening)
            {
                return null;
            }

            Log.Error("Session hook {Hook} ({Stage}) of {SessionId} did not finish within {TimeoutSeconds} s (Commands:TimeoutSeconds)",
                hook.Source, stage, Id, _route.CommandTimeout.TotalSeconds);
        }
        catch (Exception ex)
        {
            Log.Error(ex, "Session hook {Hook} ({Stage}) of {SessionId} threw", hook.Source, stage, Id);
        }
        finally
        {
            await SocketThread.Leave();
        }

        return null;
    }

    /// <summary>
    /// Registers a <c>wsgateway.v1</c> call's id as in flight until its call ends; false when a call with that id is
    /// still in flight. Called by the receive loop for every call it queues without an error.
    /// </summary>
    public bool TryBeginCall(string id)
    {
        var calls = Volatile.Read(ref _callsInFlight) ?? InitCallsInFlight();
        lock (calls)
        {
            return calls.Add(id);
        }
    }

    private HashSet<string> InitCallsInFlight()
    {
        var created = new HashSet<string>(StringComparer.Ordinal);
        return Interlocked.CompareExchange(ref _callsInFlight, created, null) ?? created;
    }

    private void EndCall(string id)
    {
        var calls = Volatile.Read(ref _callsInFlight);
        if (calls is not null)
        {
            lock (calls)
            {
                calls.Remove(id);
            }
        }
    }

    public IReadOnlyList<ISession> LocalGroupMembers(string group) => [.. _route.Groups.Members(group)];

    /// <summary>Asks every node of the cluster (<see cref="CommandRoute.AskClusterAsync"/>) within <c>Cluster:QueryTimeoutSeconds</c>.</summary>
    public Task<ClusterAnswer> AskClusterAsync(ClusterQuery query, CancellationToken cancellationToken) =>
        _route.AskClusterAsync(query, _route.ClusterQueryTimeout, cancellationToken);

    /// <summary>
    /// What the error reply says of a command's exception. Its message is plugin or script code, which may throw
    /// too; the caller still gets its answer, naming the exception's type.
    /// </summary>
    private static string Describe(Exception exception)
    {
        string message;
        try
        {
            message = exception.Message;
        }
        catch (Exception)
        {
            message = "(its message could not be read)";
        }

        return $"{exception.GetType().Name}: {message}";
    }

    private static Channel<CommandRequest> CompletedQueue()
    {
        var queue = Channel.CreateBounded<CommandRequest>(QueueOptions);
        queue.Writer.Complete();
        return queue;
    }

    /// <summary>
    /// Makes the queue and starts its worker, for the first request. On the receive loop, like every write to the
    /// queue; a drain or stop on another thread either sees the worker (and completes the queue) or comes first (and
    /// then this completes the queue it made, so the request is not taken, as after a drain).
    /// </summary>
    private void StartWorker()
    {
        _queue = Channel.CreateBounded<CommandRequest>(QueueOptions);
        var worker = RunWorkerAsync();
        if (Interlocked.CompareExchange(ref _worker, worker, null) is not null)
        {
            _queue.Writer.TryComplete();
        }
    }

    /// <summary>Made when a command first runs (idle sessions hold none); cancelled when a drain runs out of time.</summary>
    private CancellationTokenSource CutOff()
    {
        if (Volatile.Read(ref _cutOff) is { } existing)
        {
            return existing;
        }

        var created = new CancellationTokenSource();
        var cutOff = Interlocked.CompareExchange(ref _cutOff, created, null) ?? created;
        if (cutOff != created)
        {
            created.Dispose();
        }

        return cutOff;
    }

    /// <summary>
    /// Runs the queue; if the session's own machinery fails (a command's failure is only an error reply), says so and
    /// closes the connection with 1011. Not restarted: the request being handled may be unanswered and the session's
    /// state is unknown, so carrying on could answer out of order or not at all, which clients cannot detect; a close
    /// they can see and reconnect after. The same policy as a failing receive loop in <see cref="WebSocketConnection"/>.
    /// </summary>
    private async Task RunWorkerAsync()
    {
        try
        {
            await RunQueueAsync();
        }
        catch (Exception ex)
        {
            _queue.Writer.TryComplete();
            await SocketThread.Leave();
            Log.Error(ex, "Command session {SessionId} failed and runs no more commands; closing it with {CloseCode}", Id, CloseStatus.InternalError);
            await Connection.CloseAsync(CloseStatus.InternalError, "internal error");
        }
    }

    private async Task RunQueueAsync()
    {
        // What a hook joins or refuses is settled before the first command runs; a refused session runs none.
        if (!await _opening)
        {
            _queue.Writer.TryComplete();
            return;
        }

        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            // Replies to the requests already queued leave together, in one send, as long as their commands finish
            // without waiting, and so do the broadcasts and group messages they send, to each recipient (a batch);
            // before waiting on a command, what is queued goes out. The batch is thread-static: it is begun and ended
            // on one thread, with nothing awaited in between that could move the worker to another.
            await SocketThread.Leave();
            Connection.Sender.Cork();
            FanOutBatch.Begin();
            try
            {
                while (reader.TryRead(out var request))
                {
                    if (Connection.Closed.IsCancellationRequested)
                    {
                        return;
                    }

                    var run = RunAsync(request);
                    if (!run.IsCompleted)
                    {
                        FanOutBatch.End();
                        await Connection.Sender.UncorkAsync();
                        try
                        {
                            await run;
                        }
                        finally
                        {
                            // A send that had to wait, or a command's own I/O, may have left this worker on the socket
                            // engine's thread; no command runs there. Free on the thread pool, where the worker starts.
                            await SocketThread.Leave();
                            Connection.Sender.Cork();
                            FanOutBatch.Begin();
                        }
                    }
                    else
                    {
                        // Done at once, maybe faulted: a failure must not be dropped with its request left unanswered.
                        await run;
                    }
                }
            }
            finally
            {
                FanOutBatch.End();
                await Connection.Sender.UncorkAsync();
            }
        }
    }

    // Every protocol call queued without an error was registered as in flight (TryBeginCall); plain text runs as it
    // is, without a second state machine per command.
    private Task RunAsync(CommandRequest request)
    {
        if (!SpeaksProtocol || request.Error is not null)
        {
            return RunCallAsync(request);
        }

        // Most calls end without waiting: then the id is free again at once, without a second state machine.
        var run = RunCallAsync(request);
        if (run.IsCompletedSuccessfully)
        {
            EndCall(request.Id!);
            return run;
        }

        return EndCallAfterAsync(run, request.Id!);
    }

    private async Task EndCallAfterAsync(Task run, string id)
    {
        try
        {
            await run;
        }
        finally
        {
            EndCall(id);
        }
    }

    private async Task RunCallAsync(CommandRequest request)
    {
        if (request.Error is not null)
        {
            await Replies.ReplyErrorAsync(request.Id, request.ErrorCode ?? CallErrors.BadFrame, request.Error);
            return;
        }

        if (request.Name.Length == 0)
        {
            await Replies.ReplyErrorAsync(request.Id, CallErrors.BadFrame, "empty command; send \"help\" to list commands");
            return;
        }

        if (!_route.Registry.Current.TryGet(request.Name, out var descriptor))
        {
            _route.Metrics.CommandUnknown();
            await Replies.ReplyErrorAsync(request.Id, CallErrors.UnknownCommand, CallRefusals.UnknownCommand(request.Name));
            return;
        }

        if (!descriptor.Access.Allows(Identity) || CredentialExpired())
        {
            Finished(descriptor, request, CommandOutcome.Denied, started: 0);
            var refusal = CredentialExpired()
                ? $"command \"{descriptor.Name}\" was not run: your credential expired; reconnect with a new one"
                : CallRefusals.Forbidden(descriptor, Identity);
            Log.Information("Command {Command} refused to {User}: {Reason}", descriptor.Name, Identity.Name, refusal);
            await Replies.ReplyErrorAsync(request.Id, CallErrors.Forbidden, refusal);
            return;
        }

        if (descriptor.RepliesWithProblem)
        {
            // No version of it works: an error like any failed call (plain text reads as it always did).
            Finished(descriptor, request, CommandOutcome.Broken, started: 0);
            await Replies.ReplyErrorAsync(request.Id, CallErrors.Broken, $"script command \"{descriptor.Name}\" is broken: {descriptor.Problem}");
            return;
        }

        var cutOff = CutOff();
        if (cutOff.IsCancellationRequested)
        {
            await Replies.ReplyErrorAsync(request.Id, CallErrors.Cancelled, $"command \"{descriptor.Name}\" was not run: {Volatile.Read(ref _cutOffReason)}");
            return;
        }

        var timeout = _commandTimeout ??= CancellationTokenSource.CreateLinkedTokenSource(Connection.Closed, cutOff.Token);
        timeout.CancelAfter(_route.CommandTimeout);
        var context = new CommandContext(this, descriptor, request, timeout.Token);
        var outcome = CommandOutcome.Succeeded;
        long started = Stopwatch.GetTimestamp();
        Volatile.Write(ref _runningStarted, started);
        Volatile.Write(ref _running, descriptor);
        try
        {
            ValueTask call;
            using (ThreadPoolSynchronizationContext.Enter())
            {
                // Plugin and script code: its awaits resume on the thread pool, never on the socket engine's thread.
                call = descriptor.ExecuteAsync(context);
            }

            if (call.IsCompleted)
            {
                await call;
            }
            else
            {
                // WaitAsync lets a command that ignores its token still fail on time; it runs on, orphaned, and its late replies are dropped.
                await call.AsTask().WaitAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException) when (Connection.Closed.IsCancellationRequested || Connection.Sender.IsGone)
        {
            outcome = CommandOutcome.Cancelled;
        }
        catch (OperationCanceledException) when (cutOff.IsCancellationRequested)
        {
            outcome = CommandOutcome.Cancelled;
            var reason = Volatile.Read(ref _cutOffReason);
            context.Logger.Warning("Command {Command} was cut off: {Reason}", descriptor.Name, reason);
            await Replies.ReplyErrorAsync(request.Id, CallErrors.Cancelled, $"command \"{descriptor.Name}\" was cut off: {reason}", context);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            outcome = CommandOutcome.TimedOut;
            context.Logger.Warning("Command {Command} timed out after {Timeout}", descriptor.Name, _route.CommandTimeout);
            await Replies.ReplyErrorAsync(request.Id, CallErrors.Timeout, $"command \"{descriptor.Name}\" timed out after {_route.CommandTimeout.TotalSeconds:0.###} s", context);
        }
        catch (CallErrorException refused) when (descriptor.Origin == CommandOrigin.BuiltIn)
        {
            // A built-in's answer that the call cannot be done, with its code: the caller's mistake, not the gateway's.
            outcome = CommandOutcome.Failed;
            await Replies.ReplyErrorAsync(request.Id, refused.Code, refused.Message, context);
        }
        catch (HistoryUnavailableException unavailable)
        {
            // Not the command's fault: a message to a group whose history is in Redis while Redis is down.
            outcome = CommandOutcome.Failed;
            context.Logger.Warning("Command {Command} failed: {Reason}", descriptor.Name, unavailable.Message);
            await Replies.ReplyErrorAsync(request.Id, CallErrors.Unavailable, unavailable.Message, context);
        }
        catch (Exception ex)
        {
            outcome = CommandOutcome.Failed;
            context.Logger.Error(ex, "Command {Command} from {Origin} failed", descriptor.Name, descriptor.Origin.ToString());
            await Replies.ReplyErrorAsync(request.Id, CallErrors.Failed, $"command \"{descriptor.Name}\" failed: {Describe(ex)}", context);
        }
        finally
        {
            if (!timeout.TryReset())
            {
                timeout.Dispose();
                _commandTimeout = null;
            }
        }

        // The call's final frame in wsgateway.v1 (unless an error above was); later replies are dropped.
        await Replies.EndAsync(context);
        Volatile.Write(ref _running, null);
        Finished(descriptor, request, outcome, started);
    }

    /// <summary>
    /// Counts a call in the metrics and the admin API's command view, and writes its line at <c>Commands:LogLevel</c>.
    /// Nothing here allocates unless that line is written.
    /// </summary>
    /// <param name="started">The <see cref="Stopwatch"/> timestamp the command started at; 0 for a call that did not run.</param>
    private void Finished(CommandDescriptor descriptor, CommandRequest request, CommandOutcome outcome, long started)
    {
        double seconds = started != 0 ? Stopwatch.GetElapsedTime(started).TotalSeconds : -1;
        // A session mostly runs the same command again: its meters are kept, one reference for both, until another runs.
        var last = _lastMeters;
        if (last is null || !ReferenceEquals(last.Descriptor, descriptor))
        {
            _lastMeters = last = new MetersOf(descriptor, _route.Metrics.MetersFor(descriptor.Name, descriptor.Origin.Version));
        }

        last.Meters.Record(outcome, seconds);
        var commands = _route.CommandOptions;
        if (commands.LogLevel == CommandLogLevel.Off || !Log.IsEnabled(LevelOf(commands.LogLevel)))
        {
            return;
        }

        double milliseconds = Math.Round(Math.Max(seconds, 0) * 1000, 3);
        if (commands.LogArguments)
        {
            Log.Write(LevelOf(commands.LogLevel), "Command {Command} by {User} on {SessionId}: {Outcome} in {ElapsedMs} ms; arguments {Arguments}",
                descriptor.Name, Identity.Name, Id, GatewayMetrics.OutcomeLabel(outcome), milliseconds, request.Arguments);
        }
        else
        {
            Log.Write(LevelOf(commands.LogLevel), "Command {Command} by {User} on {SessionId}: {Outcome} in {ElapsedMs} ms",
                descriptor.Name, Identity.Name, Id, GatewayMetrics.OutcomeLabel(outcome), milliseconds);
        }
    }

    /// <summary>The meters of the command this session ran last.</summary>
    private sealed record MetersOf(CommandDescriptor Descriptor, CommandMeters Meters);

    private static LogEventLevel LevelOf(CommandLogLevel level) => level switch
    {
        CommandLogLevel.Verbose => LogEventLevel.Verbose,
        CommandLogLevel.Debug => LogEventLevel.Debug,
        CommandLogLevel.Information => LogEventLevel.Information,
        _ => LogEventLevel.Warning,
    };

    /// <summary>The command running now and since when, for the admin API; null while none runs.</summary>
    public (string Command, DateTimeOffset Since)? Running
    {
        get
        {
            var running = Volatile.Read(ref _running);
            return running is null
                ? null
                : (running.Name, DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(Volatile.Read(ref _runningStarted)));
        }
    }
}
