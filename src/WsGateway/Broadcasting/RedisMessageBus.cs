using System.Collections.Concurrent;
using System.Security.Cryptography;
using Serilog;
using StackExchange.Redis;
using WsGateway.Options;

namespace WsGateway.Broadcasting;

/// <summary>
/// The bus of a cluster: Redis pub/sub on one channel (<c>Cluster:ChannelPrefix</c><c>:bus</c>), through
/// StackExchange.Redis, which reconnects and resubscribes by itself. While Redis is unreachable, messages for other
/// nodes are dropped (pub/sub is at most once) and this node goes on serving its own sessions; the loss and the
/// recovery are logged once each.
/// </summary>
internal sealed class RedisMessageBus : IMessageBus
{
    private readonly ClusterOptions _options;
    private readonly ILogger _log;
    private readonly RedisChannel _channel;
    // Where the other nodes answer this process's queries (each process has its own, named by its instance).
    private readonly RedisChannel _replies;
    private readonly ConcurrentDictionary<string, PendingQuery> _pending = new(StringComparer.Ordinal);
    private Func<ClusterQuery, NodeAnswer> _answer = static _ => new NodeAnswer("", [], 0);
    // Tells this process's messages from another node's that has (wrongly) been given the same name.
    private readonly string _instance = Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
    private readonly ConcurrentDictionary<string, ClusterNode> _nodes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private ConnectionMultiplexer? _redis;
    private Func<BusMessage, ValueTask> _deliver = static _ => ValueTask.CompletedTask;
    private Func<int> _localSessions = static () => 0;
    private Task _background = Task.CompletedTask;
    // One short line for clients (/readyz, nodes, the API): when and what, never the Redis client's own messages,
    // which name hosts, versions and internals; those go to the log only.
    private volatile string? _degraded = "cluster bus connecting";
    // Connecting, Up or Down: a transition is taken by one thread only, so each loss and recovery is logged once
    // even when the multiplexer reports it for several connections at the same moment.
    private int _state = Connecting;
    private const int Connecting = 0, Up = 1, Down = 2;
    private int _duplicateNameWarned;

    public RedisMessageBus(ClusterOptions options, string nodeId, ILogger log)
    {
        _options = options;
        NodeId = nodeId;
        _log = log.ForContext<RedisMessageBus>();
        _channel = RedisChannel.Literal(ChannelName);
        _replies = ReplyChannel(_instance);
    }

    public string NodeId { get; }

    public string? Degraded => _degraded;

    /// <summary>The connection to Redis once started (the history of a cluster is kept there too).</summary>
    internal ConnectionMultiplexer? Connection => _redis;

    /// <summary>The bus channel's name.</summary>
    internal string ChannelName => _options.ChannelPrefix + ":bus";

    /// <summary><paramref name="message"/> as this node puts it on the bus.</summary>
    internal byte[] Payload(BusMessage message) => BusPayload.Message(message, _instance);

    /// <summary>Messages this node could not hand to Redis (it was unreachable), since start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    private long _dropped;

    /// <summary>Counts a message that Redis did not take (<see cref="Dropped"/>).</summary>
    internal void CountDropped() => Interlocked.Increment(ref _dropped);

    /// <summary>This bus's logger, for what shares its Redis.</summary>
    internal ILogger Log => _log;

    public async Task StartAsync(Func<BusMessage, ValueTask> deliver, Func<int> localSessions, Func<ClusterQuery, NodeAnswer> answer, CancellationToken cancellationToken)
    {
        _deliver = deliver;
        _answer = answer;
        _localSessions = localSessions;
        var configuration = ConfigurationOptions.Parse(_options.Redis);
        // Start (and stay up) without Redis: local sessions must not wait for it. The multiplexer keeps retrying.
        configuration.AbortOnConnectFail = false;
        configuration.ClientName = "wsgateway-" + NodeId;
        _redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        _redis.ConnectionFailed += (_, e) => MarkDown($"{e.FailureType} ({e.Exception?.Message ?? "no detail"})");
        _redis.ConnectionRestored += (_, _) => MarkUpIfConnected();
        if (!_redis.IsConnected)
        {
            MarkDown("not reachable at startup");
        }

        _background = RunAsync(_stopping.Token);
    }

    public ValueTask PublishAsync(BusMessage message, CancellationToken cancellationToken)
    {
        if (_redis is not { IsConnected: true } redis)
        {
            Interlocked.Increment(ref _dropped);
            return ValueTask.CompletedTask;
        }

        try
        {
            // Fire and forget: a broadcast must not wait for Redis, and pub/sub confirms nothing about delivery anyway.
            redis.GetSubscriber().Publish(_channel, BusPayload.Message(message, _instance), CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            Interlocked.Increment(ref _dropped);
        }

        return ValueTask.CompletedTask;
    }

    public IReadOnlyList<ClusterNode> Nodes()
    {
        var now = DateTimeOffset.UtcNow;
        var forgetBefore = now - TimeSpan.FromSeconds(_options.HeartbeatSeconds * 3);
        List<ClusterNode> nodes = [new ClusterNode(NodeId, _localSessions(), now, IsLocal: true)];
        nodes.AddRange(_nodes.Values.Where(n => n.LastSeen >= forgetBefore));
        return [.. nodes.OrderBy(n => n.Id, StringComparer.Ordinal)];
    }

    public async Task<ClusterAnswer> AskAsync(ClusterQuery query, TimeSpan wait, CancellationToken cancellationToken)
    {
        string[] others = [.. Nodes().Where(n => !n.IsLocal).Select(n => n.Id)];
        if (_redis is not { IsConnected: true } redis || _degraded is not null)
        {
            return new ClusterAnswer([], others, "the cluster bus is down: the other nodes could not be asked");
        }

        if (others.Length == 0)
        {
            return new ClusterAnswer([], [], null);
        }

        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        var pending = new PendingQuery(others);
        _pending[id] = pending;
        try
        {
            await redis.GetSubscriber().PublishAsync(_channel, BusPayload.Query(NodeId, _instance, id, query)).ConfigureAwait(false);
            try
            {
                await pending.AllAnswered.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Whoever did not answer in time is named as missing: a crashed node, or one cut off from Redis.
            }

            return pending.Result();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return new ClusterAnswer([], others, "the cluster bus failed: the other nodes could not be asked");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        await _background.ConfigureAwait(false);
        if (_redis is { } redis)
        {
            if (redis.IsConnected)
            {
                // The others forget this node now rather than after three missed heartbeats.
                try
                {
                    await redis.GetSubscriber().PublishAsync(_channel, BusPayload.Goodbye(NodeId, _instance)).ConfigureAwait(false);
                }
                catch (RedisException)
                {
                }
            }

            await redis.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            redis.Dispose();
        }
    }

    /// <summary>Subscribes (retrying until Redis answers; the multiplexer resubscribes after later losses) and sends heartbeats.</summary>
    private async Task RunAsync(CancellationToken stopping)
    {
        var period = TimeSpan.FromSeconds(_options.HeartbeatSeconds);
        ChannelMessageQueue? queue = null, replies = null;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (queue is null)
                {
                    // Answers first, so that no answer to a query sent right after startup goes unheard.
                    replies ??= await _redis!.GetSubscriber().SubscribeAsync(_replies).ConfigureAwait(false);
                    replies.OnMessage(ReceiveAsync);
                    queue = await _redis!.GetSubscriber().SubscribeAsync(_channel).ConfigureAwait(false);
                    // One message at a time, in the order Redis sent them: a group's messages arrive in order.
                    queue.OnMessage(ReceiveAsync);
                    MarkUpIfConnected();
                }

                if (_redis!.IsConnected)
                {
                    await _redis.GetSubscriber().PublishAsync(_channel, BusPayload.Heartbeat(NodeId, _instance, _localSessions())).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                MarkDown(ex.Message);
            }

            try
            {
                await Task.Delay(period, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        foreach (var subscription in new[] { queue, replies })
        {
            if (subscription is not null)
            {
                try
                {
                    await subscription.UnsubscribeAsync().ConfigureAwait(false);
                }
                catch (RedisException)
                {
                }
            }
        }
    }

    private async Task ReceiveAsync(ChannelMessage message)
    {
        BusPayload.Parsed parsed = default;
        byte[]? payload = message.Message;
        var problem = payload is null ? "empty" : BusPayload.TryRead(payload, out parsed);
        if (problem is not null)
        {
            _log.Warning("Ignoring a message on {Channel} that is not a gateway's: {Problem}", _channel.ToString(), problem);
            return;
        }

        if (parsed.Instance == _instance && parsed.Message?.Offset is null)
        {
            // A message with a history position is delivered by every node when it comes back from Redis, the
            // publishing one included (RedisHistoryStore): that is what keeps a group's messages in offset order.
            return;
        }

        if (parsed.Node == NodeId && parsed.Instance != _instance && Interlocked.Exchange(ref _duplicateNameWarned, 1) == 0)
        {
            _log.Warning("Another gateway on {Channel} is also named {Node}; give each node its own Cluster:NodeName", _channel.ToString(), NodeId);
        }

        switch (parsed.Kind)
        {
            case BusPayload.PayloadKind.Message:
                try
                {
                    await _deliver(parsed.Message!).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    _log.Error(ex, "Delivering a message from node {Node} failed", parsed.Node);
                }

                break;
            case BusPayload.PayloadKind.Heartbeat:
                if (_nodes.TryGetValue(parsed.Node, out var known) is false)
                {
                    _log.Information("Node {Node} joined the cluster ({Sessions} sessions)", parsed.Node, parsed.Sessions);
                }

                _nodes[parsed.Node] = new ClusterNode(parsed.Node, parsed.Sessions, DateTimeOffset.UtcNow, IsLocal: false);
                break;
            case BusPayload.PayloadKind.Query:
                await AnswerAsync(parsed).ConfigureAwait(false);
                break;
            case BusPayload.PayloadKind.Answer:
                if (_pending.TryGetValue(parsed.QueryId!, out var pending))
                {
                    pending.Add(parsed.Answer!);
                }

                break;
            case BusPayload.PayloadKind.Goodbye:
                if (_nodes.TryRemove(parsed.Node, out _))
                {
                    _log.Information("Node {Node} left the cluster", parsed.Node);
                }

                break;
        }
    }

    private async Task AnswerAsync(BusPayload.Parsed parsed)
    {
        NodeAnswer answer;
        try
        {
            answer = _answer(parsed.Query!);
        }
        catch (Exception ex)
        {
            // Not answering makes this node "missing" in the asker's result, which is what it is.
            _log.Error(ex, "Answering a query from node {Node} failed", parsed.Node);
            return;
        }

        try
        {
            await _redis!.GetSubscriber().PublishAsync(ReplyChannel(parsed.Instance), BusPayload.Answer(_instance, parsed.QueryId!, answer)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _log.Warning("Could not answer a query from node {Node}: {Reason}", parsed.Node, ex.Message);
        }
    }

    private RedisChannel ReplyChannel(string instance) => RedisChannel.Literal($"{_options.ChannelPrefix}:reply:{instance}");

    /// <summary>A query this node sent, until every node asked has answered or its time is up.</summary>
    private sealed class PendingQuery(string[] asked)
    {
        private readonly HashSet<string> _waitingFor = new(asked, StringComparer.Ordinal);
        private readonly List<NodeAnswer> _answers = [];
        private readonly TaskCompletionSource _allAnswered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task AllAnswered => _allAnswered.Task;

        public void Add(NodeAnswer answer)
        {
            lock (_answers)
            {
                // A node that started after the question was sent may answer too: its sessions count as well.
                _answers.Add(answer);
                if (_waitingFor.Remove(answer.Node) && _waitingFor.Count == 0)
                {
                    _allAnswered.TrySetResult();
                }
            }
        }

        public ClusterAnswer Result()
        {
            lock (_answers)
            {
                return new ClusterAnswer([.. _answers], [.. _waitingFor.Order(StringComparer.Ordinal)], null);
            }
        }
    }

    private void MarkDown(string why)
    {
        if (Interlocked.Exchange(ref _state, Down) != Down)
        {
            _degraded = DownSince(DateTimeOffset.UtcNow);
            _log.Warning(
                "Cluster bus down: {Why}. This node keeps serving its own sessions and groups; messages to other nodes are dropped until Redis is back (retrying)",
                why);
        }
    }

    /// <summary>What <see cref="Degraded"/> says while the bus is down: <c>cluster bus down since 16:40:12Z, reconnecting</c>.</summary>
    internal static string DownSince(DateTimeOffset since) =>
        $"cluster bus down since {since.UtcDateTime:HH':'mm':'ss}Z, reconnecting";

    private void MarkUpIfConnected()
    {
        if (_redis is { IsConnected: true } && Interlocked.Exchange(ref _state, Up) != Up)
        {
            _degraded = null;
            _log.Information("Cluster bus up: connected to Redis, channel {Channel}", _channel.ToString());
        }
    }
}
