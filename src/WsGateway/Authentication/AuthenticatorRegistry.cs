using System.Collections.Immutable;
using WsGateway.Contracts;

namespace WsGateway.Authentication;

/// <summary>
/// The authenticators plugins contribute, by name (case-insensitive). Like the command registry, each plugin replaces
/// its whole set at once and readers see one immutable snapshot, so a reload swaps an authenticator between two
/// handshakes, never during one.
/// </summary>
internal sealed class AuthenticatorRegistry
{
    private readonly Lock _gate = new();
    private ImmutableSortedDictionary<string, ImmutableArray<IAuthenticator>> _sources =
        ImmutableSortedDictionary<string, ImmutableArray<IAuthenticator>>.Empty.WithComparers(StringComparer.Ordinal);
    private ImmutableDictionary<string, IAuthenticator> _byName = ImmutableDictionary<string, IAuthenticator>.Empty;

    /// <summary>Replaces what <paramref name="sourceKey"/> (<c>plugin:NAME</c>) contributed; an empty list removes it.</summary>
    public void SetSource(string sourceKey, IReadOnlyList<IAuthenticator> authenticators)
    {
        lock (_gate)
        {
            _sources = authenticators.Count == 0 ? _sources.Remove(sourceKey) : _sources.SetItem(sourceKey, [.. authenticators]);
            var byName = ImmutableDictionary.CreateBuilder<string, IAuthenticator>(StringComparer.OrdinalIgnoreCase);
            // Sources in ordinal order, so when two plugins claim one name the same one wins on every start.
            foreach (var (_, list) in _sources)
            {
                foreach (var authenticator in list)
                {
                    byName.TryAdd(authenticator.Name, authenticator);
                }
            }

            Volatile.Write(ref _byName, byName.ToImmutable());
        }
    }

    public void RemoveSource(string sourceKey) => SetSource(sourceKey, []);

    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IAuthenticator? authenticator) =>
        Volatile.Read(ref _byName).TryGetValue(name, out authenticator);
}
