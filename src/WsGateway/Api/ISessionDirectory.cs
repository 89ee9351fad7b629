namespace WsGateway.Api;

/// <summary>
/// The sessions the API can see and disconnect. <see cref="LocalSessionDirectory"/> answers for this node only; a
/// cluster-wide directory (a scatter-gather over the bus) can take its place behind this interface, and then
/// <see cref="Scope"/> says so to the callers.
/// </summary>
internal interface ISessionDirectory
{
    /// <summary>What the answers cover: <c>thisNode</c> or <c>cluster</c> (as the API's responses say it).</summary>
    string Scope { get; }

    /// <summary>Open sessions, those of <paramref name="user"/> and in <paramref name="group"/> when given.</summary>
    ValueTask<IReadOnlyList<SessionInfo>> ListAsync(string? user, string? group, CancellationToken cancellationToken);

    /// <summary>Closes one session with <paramref name="reason"/>.</summary>
    /// <returns>False when no such session is open.</returns>
    ValueTask<bool> DisconnectSessionAsync(string id, string reason, CancellationToken cancellationToken);

    /// <summary>Closes every session of <paramref name="user"/>.</summary>
    /// <returns>How many were closed; 0 when the user has none.</returns>
    ValueTask<int> DisconnectUserAsync(string user, string reason, CancellationToken cancellationToken);
}
