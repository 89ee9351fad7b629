using WsGateway.Contracts;

namespace WsGateway.Authentication;

/// <summary>The <c>none</c> method: everyone gets in, as <see cref="CallerIdentity.Anonymous"/>.</summary>
internal sealed class AnonymousAuthenticator : IAuthenticator
{
    public static AnonymousAuthenticator Instance { get; } = new();

    private static readonly ValueTask<AuthenticationResult> Accepted = ValueTask.FromResult(AuthenticationResult.Accept(CallerIdentity.Anonymous));

    public string Name => "none";

    public ValueTask<AuthenticationResult> AuthenticateAsync(IUpgradeRequest request, CancellationToken cancellationToken) => Accepted;
}
