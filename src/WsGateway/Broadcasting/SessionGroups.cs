namespace WsGateway.Broadcasting;

/// <summary>
/// The groups one session is in, kept in step with the node's <see cref="GroupMembership{TMember}"/>: a join racing the
/// session's end cannot leave it behind in a group.
/// </summary>
internal sealed class SessionGroups<TMember> where TMember : class
{
    // Stands in for the groups of a session that ended without joining any: no set is made just to be closed.
    private static readonly HashSet<string> NoMoreGroups = [];

    private readonly GroupMembership<TMember> _membership;
    private readonly TMember _member;

    // Made on the first join (most sessions never join one), and locked itself; the membership changes under the same
    // lock.
    private HashSet<string>? _groups;
    private bool _closed;

    public SessionGroups(GroupMembership<TMember> membership, TMember member)
    {
        _membership = membership;
        _member = member;
    }

    public IReadOnlyCollection<string> Names
    {
        get
        {
            var groups = Volatile.Read(ref _groups);
            if (groups is null)
            {
                return [];
            }

            lock (groups)
            {
                return [.. groups];
            }
        }
    }

    /// <returns>False when already a member, or when the session has ended.</returns>
    public bool Join(string group)
    {
        var groups = Volatile.Read(ref _groups) ?? Interlocked.CompareExchange(ref _groups, new(StringComparer.Ordinal), null) ?? _groups!;
        if (ReferenceEquals(groups, NoMoreGroups))
        {
            return false;
        }

        lock (groups)
        {
            if (_closed || !groups.Add(group))
            {
                return false;
            }

            _membership.Join(group, _member);
            return true;
        }
    }

    public bool Leave(string group)
    {
        if (Volatile.Read(ref _groups) is not { } groups || ReferenceEquals(groups, NoMoreGroups))
        {
            return false;
        }

        lock (groups)
        {
            if (!groups.Remove(group))
            {
                return false;
            }

            _membership.Leave(group, _member);
            return true;
        }
    }

    /// <summary>The session ended: it leaves every group, and joins no more.</summary>
    public void LeaveAll()
    {
        if (Interlocked.CompareExchange(ref _groups, NoMoreGroups, null) is not { } groups || ReferenceEquals(groups, NoMoreGroups))
        {
            return;
        }

        lock (groups)
        {
            _closed = true;
            foreach (var group in groups)
            {
                _membership.Leave(group, _member);
            }

            groups.Clear();
        }
    }
}
