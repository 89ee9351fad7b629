using System.Collections.Immutable;
using WsGateway.Contracts;

namespace WsGateway.Commands;

/// <summary>One hook and the plugin (or test) it came from, for logs.</summary>
internal sealed record SessionHook(ISessionHook Hook, string Source);

/// <summary>
/// The session hooks plugins contribute. Like the command registry, each source replaces its whole set at once and
/// readers take one immutable snapshot, so a reload swaps hooks between two sessions, never during one's hooks.
/// </summary>
internal sealed class SessionHookRegistry
{
    private readonly Lock _gate = new();
    private ImmutableSortedDictionary<string, ImmutableArray<SessionHook>> _sources =
        ImmutableSortedDictionary<string, ImmutableArray<SessionHook>>.Empty.WithComparers(StringComparer.Ordinal);
    private SessionHook[] _all = [];

    /// <summary>Every hook, in the order of their sources' keys (<c>plugin:NAME</c>); empty when there are none.</summary>
    public SessionHook[] Current => Volatile.Read(ref _all);

    /// <summary>Replaces what <paramref name="sourceKey"/> contributed; an empty list removes it.</summary>
    public void SetSource(string sourceKey, IReadOnlyList<ISessionHook> hooks)
    {
        lock (_gate)
        {
            _sources = hooks.Count == 0 ? _sources.Remove(sourceKey) : _sources.SetItem(sourceKey, [.. hooks.Select(h => new SessionHook(h, sourceKey))]);
            Volatile.Write(ref _all, [.. _sources.Values.SelectMany(list => list)]);
        }
    }

    public void RemoveSource(string sourceKey) => SetSource(sourceKey, []);
}
