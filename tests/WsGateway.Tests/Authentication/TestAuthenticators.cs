using WsGateway.Contracts;

namespace WsGateway.Tests.Authentication;

/// <summary>A plugin authenticator that answers what it is told and counts its calls.</summary>
internal sealed class ScriptedAuthenticator(string name, Func<IUpgradeRequest, AuthenticationResult> decide, bool completeLater = false) : IAuthenticator
{
    private int _calls;

    public string Name => name;

    public int Calls => Volatile.Read(ref _calls);

    public IUpgradeRequest? LastRequest { get; private set; }

    public static ScriptedAuthenticator Accepting(string name, string caller, params string[] roles) =>
        new(name, _ => AuthenticationResult.Accept(new CallerIdentity(caller, name, roles)));

    public static ScriptedAuthenticator Failing(string name, string reason) => new(name, _ => AuthenticationResult.Fail(reason));

    public ValueTask<AuthenticationResult> AuthenticateAsync(IUpgradeRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        LastRequest = request;
        return completeLater ? Later(request) : ValueTask.FromResult(decide(request));
    }

    private async ValueTask<AuthenticationResult> Later(IUpgradeRequest request)
    {
        await Task.Yield();
        return decide(request);
    }
}

/// <summary>A plugin authenticator that throws, at once or after going asynchronous.</summary>
internal sealed class ThrowingAuthenticator(string name, Exception failure, bool async) : IAuthenticator
{
    public string Name => name;

    public ValueTask<AuthenticationResult> AuthenticateAsync(IUpgradeRequest request, CancellationToken cancellationToken) =>
        async ? Later() : throw failure;

    private async ValueTask<AuthenticationResult> Later()
    {
        await Task.Yield();
        throw failure;
    }
}

/// <summary>A plugin authenticator that never answers and ignores its cancellation token.</summary>
internal sealed class HangingAuthenticator(string name) : IAuthenticator
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<AuthenticationResult> _never = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => name;

    /// <summary>Completes once a handshake is waiting on this authenticator.</summary>
    public Task Entered => _entered.Task;

    public ValueTask<AuthenticationResult> AuthenticateAsync(IUpgradeRequest request, CancellationToken cancellationToken)
    {
        _entered.TrySetResult();
        return new ValueTask<AuthenticationResult>(_never.Task);
    }
}
