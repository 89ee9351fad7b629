namespace WsGateway.Contracts;

/// <summary>What an <see cref="IAuthenticator"/> decided about one upgrade request.</summary>
public sealed class AuthenticationResult
{
    private AuthenticationResult(AuthenticationOutcome outcome, CallerIdentity? identity, string? reason)
    {
        Outcome = outcome;
        Identity = identity;
        Reason = reason;
    }

    /// <summary>The request carries none of the credentials this authenticator reads; the next method may try.</summary>
    public static AuthenticationResult NoCredentials { get; } = new(AuthenticationOutcome.NoCredentials, null, null);

    /// <summary>The decision.</summary>
    public AuthenticationOutcome Outcome { get; }

    /// <summary>The caller, when <see cref="Outcome"/> is <see cref="AuthenticationOutcome.Accepted"/>.</summary>
    public CallerIdentity? Identity { get; }

    /// <summary>
    /// A short reason for a refusal (<c>token expired</c>), sent to the client and logged. Never put a secret in it.
    /// </summary>
    public string? Reason { get; }

    /// <summary>The caller is who <paramref name="identity"/> says.</summary>
    public static AuthenticationResult Accept(CallerIdentity identity) =>
        new(AuthenticationOutcome.Accepted, identity ?? throw new ArgumentNullException(nameof(identity)), null);

    /// <summary>The credentials are bad (unknown, expired, badly signed): HTTP 401.</summary>
    public static AuthenticationResult Fail(string reason) => new(AuthenticationOutcome.Failed, null, Require(reason));

    /// <summary>The caller is known but may not connect: HTTP 403.</summary>
    public static AuthenticationResult Forbid(string reason) => new(AuthenticationOutcome.Forbidden, null, Require(reason));

    private static string Require(string reason) =>
        string.IsNullOrWhiteSpace(reason) ? throw new ArgumentException("A refusal needs a reason.", nameof(reason)) : reason;
}

/// <summary>The kinds of <see cref="AuthenticationResult"/>.</summary>
public enum AuthenticationOutcome
{
    /// <summary>Not this authenticator's kind of request.</summary>
    NoCredentials,

    /// <summary>Authenticated.</summary>
    Accepted,

    /// <summary>Bad credentials: 401.</summary>
    Failed,

    /// <summary>Authenticated but not allowed: 403.</summary>
    Forbidden,
}
