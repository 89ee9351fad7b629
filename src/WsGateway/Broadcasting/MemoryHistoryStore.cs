using System.Collections.Concurrent;
using System.Security.Cryptography;
using WsGateway.Options;

namespace WsGateway.Broadcasting;

/// <summary>
/// The history of a gateway that runs alone, in its memory. Every message to a kept group gets the next offset of its
/// group; offsets only grow within an epoch, a random name this store was made with: a restarted gateway has a new
/// epoch, which tells a client its old position means nothing here.
/// </summary>
internal sealed class MemoryHistoryStore : IHistoryStore
{
    private readonly HistoryGroupOptions[] _rules;
    private readonly ConcurrentDictionary<string, GroupHistory> _groups = new(StringComparer.Ordinal);
    private readonly Func<long> _now;

    public MemoryHistoryStore(HistoryOptions options, Func<long>? nowMilliseconds = null)
    {
        _rules = options.Groups;
        _now = nowMilliseconds ?? (() => Environment.TickCount64);
        Epoch = NewEpoch();
    }

    public string Epoch { get; }

    /// <summary>A random epoch name: 12 hex digits.</summary>
    public static string NewEpoch() => Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant();

    public HistoryGroupOptions? RuleFor(string group) => HistoryRules.Match(_rules, group);

    public ValueTask<int?> PublishAsync(BusMessage message, HistoryGroupOptions rule, Func<BusMessage, int> deliverLocally, bool untilKept, CancellationToken cancellationToken) =>
        // Delivered before the group's next message is kept: its members get the group's messages in offset order.
        ValueTask.FromResult<int?>(For(message.To.Name!, rule).AppendThen(message, Epoch, deliverLocally));

    public ValueTask<HistoryPage> ReadAsync(string group, HistoryGroupOptions rule, HistoryPosition? since, int limit, CancellationToken cancellationToken)
    {
        bool sameEpoch = since is not { } position || position.Epoch == Epoch;
        long after = since is { } from && sameEpoch ? from.Offset : 0;
        var (entries, last, complete) = For(group, rule).Since(after, limit, newest: since is null);
        return ValueTask.FromResult(new HistoryPage(Epoch, last, entries, complete, sameEpoch));
    }

    private GroupHistory For(string group, HistoryGroupOptions rule) =>
        _groups.TryGetValue(group, out var history)
            ? history
            : _groups.GetOrAdd(group, static (_, state) => new GroupHistory(state.Rule, state.Now), (Rule: rule, Now: _now));
}
