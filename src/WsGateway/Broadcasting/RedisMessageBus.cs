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
    // Tells this process's messages from another node's that has (wrongly) been given the same name.
    private readonly string _instance = Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
    private readonly ConcurrentDictionary<string, ClusterNode> _nodes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private ConnectionMultiplexer? _redis;
    private Func<BusMessage, ValueTask> _deliver = static _ => ValueTask.CompletedTask;
    private Func<int> _localSessions = static () => 0;
    private Task _background = Task.CompletedTask;
    private volatile string? _degraded = "connecting to Redis";
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
        _channel = RedisChannel.Literal(options.ChannelPrefix + ":bus");
    }

    public string NodeId { get; }

    public string? Degraded => _degraded;

    /// <summary>Messages this node could not hand to Redis (it was unreachable), since start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    private long _dropped;

    public async Task StartAsync(Func<BusMessage, ValueTask> deliver, Func<int> localSessions, CancellationToken cancellationToken)
    {
        _deliver = deliver;
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
        ChannelMessageQueue? queue = null;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (queue is null)
                {
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

        if (queue is not null)
        {
            try
            {
                await queue.UnsubscribeAsync().ConfigureAwait(false);
            }
            catch (RedisException)
            {
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

        if (parsed.Instance == _instance)
        {
            return;
        }

        if (parsed.Node == NodeId && Interlocked.Exchange(ref _duplicateNameWarned, 1) == 0)
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
            case BusPayload.PayloadKind.Goodbye:
                if (_nodes.TryRemove(parsed.Node, out _))
                {
                    _log.Information("Node {Node} left the cluster", parsed.Node);
                }

                break;
        }
    }

    private void MarkDown(string why)
    {
        _degraded = $"Redis unreachable ({why}); serving this node's sessions only";
        if (Interlocked.Exchange(ref _state, Down) != Down)
        {
            _log.Warning(
                "Cluster bus down: {Why}. This node keeps serving its own sessions and groups; messages to other nodes are dropped until Redis is back (retrying)",
                why);
        }
    }

    private void MarkUpIfConnected()
    {
        if (_redis is { IsConnected: true } && Interlocked.Exchange(ref _state, Up) != Up)
        {
            _degraded = null;
            _log.Information("Cluster bus up: connected to Redis, channel {Channel}", _channel.ToString());
        }
    }
}
