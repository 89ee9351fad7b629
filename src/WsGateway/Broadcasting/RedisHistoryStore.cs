using System.Globalization;
using Serilog;
using StackExchange.Redis;
using WsGateway.Options;

namespace WsGateway.Broadcasting;

/// <summary>
/// The history of a cluster, in the Redis of its bus, so that an offset means the same on every node. Per group, a
/// hash <c>PREFIX:history:{GROUP}:meta</c> holds the epoch and the last offset, and a stream
/// <c>PREFIX:history:{GROUP}:stream</c> the kept messages, each under the id <c>OFFSET-1</c>. One Lua script gives a
/// message its offset, keeps it and publishes it on the bus; Redis runs scripts one at a time, so every node hears a
/// group's messages in offset order, the publishing node included: it delivers its own through the bus too.
/// The epoch is made when the hash is missing: the first message of a group, and after Redis lost its data.
/// </summary>
internal sealed class RedisHistoryStore : IHistoryStore
{
    /// <summary>How long a group's epoch and last offset outlive its last message: a week, the longest TtlSeconds.</summary>
    private const int MetaSeconds = 7 * 24 * 3600;

    // KEYS: meta, stream. ARGV: payload (a JSON object), a new epoch, size, ttl (ms), channel, meta ttl (s).
    private const string PublishScript = """
        local epoch = redis.call('hget', KEYS[1], 'e')
        if not epoch then
          epoch = ARGV[2]
          redis.call('del', KEYS[2])
          redis.call('hset', KEYS[1], 'e', epoch)
        end
        local offset = redis.call('hincrby', KEYS[1], 's', 1)
        local time = redis.call('time')
        local now = time[1] * 1000 + math.floor(time[2] / 1000)
        local payload = '{"o":' .. offset .. ',"ep":"' .. epoch .. '",' .. string.sub(ARGV[1], 2)
        redis.call('xadd', KEYS[2], 'MAXLEN', ARGV[3], offset .. '-1', 't', string.format('%d', now), 'p', payload)
        redis.call('pexpire', KEYS[2], ARGV[4])
        redis.call('expire', KEYS[1], ARGV[6])
        redis.call('publish', ARGV[5], payload)
        return offset
        """;

    // KEYS: meta, stream. ARGV: a new epoch, "newest" or "after", the offset after which, limit, the client's epoch, meta ttl (s).
    private const string ReadScript = """
        local epoch = redis.call('hget', KEYS[1], 'e')
        if not epoch then
          epoch = ARGV[1]
          redis.call('del', KEYS[2])
          redis.call('hset', KEYS[1], 'e', epoch, 's', 0)
          redis.call('expire', KEYS[1], ARGV[6])
        end
        local last = redis.call('hget', KEYS[1], 's') or '0'
        local time = redis.call('time')
        local now = string.format('%d', time[1] * 1000 + math.floor(time[2] / 1000))
        local entries
        if ARGV[2] == 'newest' then
          entries = redis.call('xrevrange', KEYS[2], '+', '-', 'COUNT', ARGV[4])
        else
          local after = ARGV[3]
          if ARGV[5] ~= epoch then after = '0' end
          entries = redis.call('xrange', KEYS[2], (tonumber(after) + 1) .. '-0', '+', 'COUNT', ARGV[4])
        end
        return { epoch, last, now, entries }
        """;

    private readonly HistoryGroupOptions[] _rules;
    private readonly RedisMessageBus _bus;
    private readonly string _prefix;
    private readonly ILogger _log;

    public RedisHistoryStore(HistoryOptions options, ClusterOptions cluster, RedisMessageBus bus, ILogger log)
    {
        _log = log.ForContext<RedisHistoryStore>();
        _rules = options.Groups;
        _bus = bus;
        _prefix = cluster.ChannelPrefix + ":history:{";
    }

    public HistoryGroupOptions? RuleFor(string group) => HistoryRules.Match(_rules, group);

    public async ValueTask<int?> PublishAsync(BusMessage message, HistoryGroupOptions rule, Func<BusMessage, int> deliverLocally, bool untilKept, CancellationToken cancellationToken)
    {
        var group = message.To.Name!;
        var database = Database(group, "sent to");
        Task<RedisResult> kept;
        try
        {
            // Redis runs one connection's commands in the order they were sent: this node's messages to a group get
            // their offsets in the order they were published, whether or not each waits for the one before.
            kept = database.ScriptEvaluateAsync(PublishScript, [MetaKey(group), StreamKey(group)], [
                _bus.Payload(message),
                MemoryHistoryStore.NewEpoch(),
                rule.Size,
                TtlMilliseconds(rule),
                _bus.ChannelName,
                MetaSeconds,
            ]);
            if (!untilKept)
            {
                _ = kept.ContinueWith(static (failed, state) => ((RedisHistoryStore)state!).Lost(failed.Exception!), this,
                    CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                return null;
            }

            await kept.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw Unavailable(group, "sent to", ex);
        }

        // Every member, this node's included, gets it when the bus brings it back.
        return null;
    }

    /// <summary>A message sent without waiting that Redis did not keep: nobody got it, so it is counted as dropped.</summary>
    private void Lost(AggregateException failure)
    {
        _bus.CountDropped();
        _log.Warning(failure.GetBaseException(), "A message to a group that keeps a history was not kept by Redis, so no node delivered it");
    }

    public async ValueTask<HistoryPage> ReadAsync(string group, HistoryGroupOptions rule, HistoryPosition? since, int limit, CancellationToken cancellationToken)
    {
        var database = Database(group, "read");
        RedisResult[] result;
        try
        {
            result = (RedisResult[])(await database.ScriptEvaluateAsync(ReadScript, [MetaKey(group), StreamKey(group)], [
                MemoryHistoryStore.NewEpoch(),
                since is null ? "newest" : "after",
                since?.Offset ?? 0,
                limit,
                since?.Epoch ?? "",
                MetaSeconds,
            ]).ConfigureAwait(false))!;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw Unavailable(group, "read", ex);
        }

        var epoch = (string)result[0]!;
        long last = (long)result[1];
        long now = (long)result[2];
        bool sameEpoch = since is not { } position || position.Epoch == epoch;
        long after = since is { } from && sameEpoch ? from.Offset : 0;
        var entries = ReadEntries((RedisResult[])result[3]!, now - TtlMilliseconds(rule));
        if (since is null)
        {
            entries.Reverse();
        }

        // Whole when it starts right after the position and reaches the last offset: nothing trimmed, expired or cut.
        long firstExpected = since is null ? Math.Max(1, last - limit + 1) : after + 1;
        bool complete = entries.Count == 0
            ? last == after
            : entries[0].Offset == firstExpected && entries[^1].Offset == last;
        return new HistoryPage(epoch, last, entries, complete, sameEpoch);
    }

    private static List<HistoryEntry> ReadEntries(RedisResult[] stream, long expiredBefore)
    {
        var entries = new List<HistoryEntry>(stream.Length);
        foreach (var item in stream)
        {
            var fields = (RedisResult[])((RedisResult[])item!)[1]!;
            long at = 0;
            byte[]? payload = null;
            for (int i = 0; i + 1 < fields.Length; i += 2)
            {
                switch ((string?)fields[i])
                {
                    case "t": at = (long)fields[i + 1]; break;
                    case "p": payload = (byte[]?)fields[i + 1]; break;
                }
            }

            if (at < expiredBefore || payload is null || BusPayload.TryRead(payload, out var parsed) is not null || parsed.Message?.Offset is not { } offset)
            {
                // Expired (Redis trims by size; age is checked here), or not a message this store wrote.
                continue;
            }

            entries.Add(new HistoryEntry(offset, at, parsed.Message));
        }

        return entries;
    }

    private static long TtlMilliseconds(HistoryGroupOptions rule) => (long)Math.Ceiling(rule.TtlSeconds * 1000);

    private IDatabase Database(string group, string verb) =>
        _bus.Connection is { IsConnected: true } redis ? redis.GetDatabase() : throw Unavailable(group, verb, null);

    private static HistoryUnavailableException Unavailable(string group, string verb, Exception? inner) =>
        new($"\"{group}\" keeps its history in Redis, which cannot be reached now: nothing was {verb}", inner);

    private RedisKey MetaKey(string group) => _prefix + group + "}:meta";

    private RedisKey StreamKey(string group) => _prefix + group + "}:stream";
}
