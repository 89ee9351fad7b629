namespace WsGateway.Contracts;

/// <summary>
/// A custom authentication method from a plugin: a public class with a public parameterless constructor, found like
/// commands. It is used when gateway.json lists <c>plugin:NAME</c> in <c>Authentication:Methods</c>, and is replaced
/// with the plugin on hot reload. Called for every upgrade on every route, concurrently: keep it thread-safe and quick
/// (its time counts against <c>Limits:HandshakeTimeoutSeconds</c>).
/// </summary>
public interface IAuthenticator
{
    /// <summary>The name gateway.json refers to (<c>plugin:NAME</c>, case-insensitive) and that identities carry.</summary>
    string Name { get; }

    /// <summary>Decides whether <paramref name="request"/> may upgrade, and as whom.</summary>
    /// <returns>
    /// <see cref="AuthenticationResult.Accept"/>, <see cref="AuthenticationResult.Fail"/> (401),
    /// <see cref="AuthenticationResult.Forbid"/> (403), or <see cref="AuthenticationResult.NoCredentials"/> to let
    /// the next configured method try.
    /// </returns>
    ValueTask<AuthenticationResult> AuthenticateAsync(IUpgradeRequest request, CancellationToken cancellationToken);
}
