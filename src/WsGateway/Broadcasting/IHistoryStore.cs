using WsGateway.Options;

namespace WsGateway.Broadcasting;

/// <summary>
/// Where the groups of <c>History:Groups</c> keep their messages: in this process (<see cref="MemoryHistoryStore"/>)
/// or, in a cluster, in Redis (<see cref="RedisHistoryStore"/>), so that an offset means the same on every node.
/// </summary>
internal interface IHistoryStore
{
    /// <summary>The rule that keeps <paramref name="group"/>'s history, or null when none does.</summary>
    HistoryGroupOptions? RuleFor(string group);

    /// <summary>
    /// Gives <paramref name="message"/> (to a group <paramref name="rule"/> keeps) the group's next offset, keeps it,
    /// and has it delivered to the group's members on every node in offset order; this node's members through
    /// <paramref name="deliverLocally"/>, now or when the message comes back from the store.
    /// </summary>
    /// <param name="untilKept">
    /// Complete only once the store has kept it (an API publish, whose answer says so). Otherwise it may complete once
    /// the message is on its way, in order behind this node's earlier ones, so that one session's sends are not held
    /// up by a round trip each; a failure after that is logged and counted as dropped.
    /// </param>
    /// <returns>
    /// How many of this node's sessions got it before the method returned; null when they get it from the bus, as the
    /// other nodes' sessions do.
    /// </returns>
    /// <exception cref="HistoryUnavailableException">The store cannot be reached: the message went nowhere.</exception>
    ValueTask<int?> PublishAsync(BusMessage message, HistoryGroupOptions rule, Func<BusMessage, int> deliverLocally, bool untilKept, CancellationToken cancellationToken);

    /// <summary>
    /// The kept messages of <paramref name="group"/>: the newest <paramref name="limit"/> without
    /// <paramref name="since"/>; with it, the first <paramref name="limit"/> after its offset when its epoch is the
    /// history's, or from the oldest kept when it is not (the history it came from is gone).
    /// </summary>
    /// <exception cref="HistoryUnavailableException">The store cannot be reached.</exception>
    ValueTask<HistoryPage> ReadAsync(string group, HistoryGroupOptions rule, HistoryPosition? since, int limit, CancellationToken cancellationToken);
}
