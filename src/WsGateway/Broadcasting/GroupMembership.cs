using System.Collections.Concurrent;

namespace WsGateway.Broadcasting;

/// <summary>
/// Which local sessions are in which group. Joins and leaves come from commands, several sessions at once;
/// deliveries enumerate a group's members without a lock and without copying.
/// </summary>
/// <typeparam name="TMember">A session (kept by reference).</typeparam>
internal sealed class GroupMembership<TMember> where TMember : class
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<TMember, byte>> _groups = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <returns>False when <paramref name="member"/> was already in <paramref name="group"/>.</returns>
    public bool Join(string group, TMember member)
    {
        // Under the lock so that a leave emptying the group cannot remove it between our lookup and our add.
        lock (_gate)
        {
            return _groups.GetOrAdd(group, static _ => new()).TryAdd(member, 0);
        }
    }

    /// <returns>False when <paramref name="member"/> was not in <paramref name="group"/>.</returns>
    public bool Leave(string group, TMember member)
    {
        lock (_gate)
        {
            if (!_groups.TryGetValue(group, out var members) || !members.TryRemove(member, out _))
            {
                return false;
            }

            if (members.IsEmpty)
            {
                _groups.TryRemove(group, out _);
            }

            return true;
        }
    }

    /// <summary>The members of <paramref name="group"/> on this node; enumerating takes no lock.</summary>
    public IEnumerable<TMember> Members(string group) =>
        _groups.TryGetValue(group, out var members) ? members.Keys : [];

    /// <summary>Calls <paramref name="action"/> for each member of <paramref name="group"/> without copying the set.</summary>
    /// <returns>How many calls returned true.</returns>
    public int ForEach<TState>(string group, TState state, Func<TMember, TState, bool> action)
    {
        int count = 0;
        if (_groups.TryGetValue(group, out var members))
        {
            foreach (var (member, _) in members)
            {
                if (action(member, state))
                {
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>How many members <paramref name="group"/> has on this node.</summary>
    public int Count(string group) => _groups.TryGetValue(group, out var members) ? members.Count : 0;

    /// <summary>How many groups have members on this node.</summary>
    public int GroupCount => _groups.Count;
}
