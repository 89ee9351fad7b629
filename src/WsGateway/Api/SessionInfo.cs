using WsGateway.Broadcasting;

namespace WsGateway.Api;

/// <summary>One open command session as the API lists it.</summary>
/// <param name="User">The identity's name (<c>anonymous</c> when not authenticated).</param>
/// <param name="Remote">The client's address and port, as the gateway sees it (after trusted proxies).</param>
/// <param name="Node">The gateway that holds it.</param>
/// <param name="Running">The command it runs now; null while none runs.</param>
internal sealed record SessionInfo(
    string Id, string User, bool Authenticated, string? Remote, DateTimeOffset ConnectedAt, string Path, IReadOnlyList<string> Groups, string Node,
    IReadOnlyList<string> Roles, SessionTraffic Traffic, RunningCommand? Running);
