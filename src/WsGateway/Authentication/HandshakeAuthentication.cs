using System.Net;
using Serilog;
using WsGateway.Contracts;
using WsGateway.Http;
using WsGateway.Options;
using WsGateway.Protocol;
using WsGateway.Transport;

namespace WsGateway.Authentication;

/// <summary>
/// Runs <c>Authentication:Methods</c> on an upgrade request: the first method that accepts gives the identity; a
/// request that none accepts is refused with 401 (or 403 when a method forbids it or a required role is missing).
/// <c>none</c> accepts only while no earlier method has refused the request's credentials.
/// </summary>
internal sealed class HandshakeAuthentication
{
    private readonly LiveOptions _options;
    private readonly AuthenticatorRegistry _plugins;
    private readonly ILogger _log;
    private readonly ParsedOptions<AuthenticationOptions, AuthenticationMethods> _methods;

    public HandshakeAuthentication(LiveOptions options, AuthenticatorRegistry plugins, ILogger log)
    {
        _options = options;
        _plugins = plugins;
        _log = log;
        _methods = new(Build);
    }

    public async ValueTask<AuthenticationVerdict> AuthenticateAsync(HttpRequestHead head, IPEndPoint? remote, CancellationToken cancellationToken)
    {
        var methods = Methods();
        if (methods.AnonymousOnly)
        {
            return AuthenticationVerdict.Anonymous;
        }

        if (methods.Problems is not null)
        {
            return AuthenticationVerdict.Unavailable("authentication is misconfigured (see the gateway's log)");
        }

        var request = new UpgradeRequest(head, remote);
        AuthenticationVerdict? firstRefusal = null;
        foreach (var method in methods.Methods)
        {
            // "none" lets in callers that bring no credentials, not callers whose credentials a method refused:
            // with ["jwt", "none"] a bad or expired token gets 401 instead of an anonymous session.
            if (firstRefusal is not null && method.Authenticator is AnonymousAuthenticator)
            {
                continue;
            }

            var authenticator = method.Authenticator;
            if (authenticator is null && !_plugins.TryGet(method.PluginAuthenticator!, out authenticator))
            {
                _log.Warning("Authentication method {Method} is not loaded (no plugin defines an IAuthenticator named {Name})",
                    method.Name, method.PluginAuthenticator);
                return AuthenticationVerdict.Unavailable($"authentication method {method.Name} is not loaded");
            }

            AuthenticationResult result;
            try
            {
                ValueTask<AuthenticationResult> call;
                using (ThreadPoolSynchronizationContext.Enter())
                {
                    // Plugin code: its awaits resume on the thread pool, never on the socket engine's thread.
                    call = authenticator.AuthenticateAsync(request, cancellationToken);
                }

                // WaitAsync: a plugin authenticator that ignores the token still gives up at the handshake timeout.
                result = call.IsCompleted ? call.Result : await call.AsTask().WaitAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // The failure may surface where the plugin's own I/O completed: perhaps on the socket engine's thread.
                await SocketThread.Leave();
                _log.Error(ex, "Authentication method {Method} failed", method.Name);
                return AuthenticationVerdict.Unavailable($"authentication method {method.Name} failed");
            }

            switch (result.Outcome)
            {
                case AuthenticationOutcome.Accepted:
                    return RequireRoles(result.Identity!, methods.Source.RequiredRoles);
                case AuthenticationOutcome.Forbidden:
                    return AuthenticationVerdict.Forbidden(method.Name, result.Reason!);
                case AuthenticationOutcome.Failed:
                    // A later method may still accept (an API key after a JWT method); the first refusal says why not.
                    firstRefusal ??= AuthenticationVerdict.Unauthorized(method.Name, result.Reason!);
                    break;
            }
        }

        return firstRefusal ?? AuthenticationVerdict.Unauthorized(null, "credentials required");
    }

    private static AuthenticationVerdict RequireRoles(CallerIdentity identity, string[] required)
    {
        if (required.Length == 0 || required.Any(identity.IsInRole))
        {
            return AuthenticationVerdict.Accepted(identity);
        }

        return identity.IsAuthenticated
            ? AuthenticationVerdict.Forbidden(identity.AuthenticatedBy, $"{identity.Name} does not have the role {string.Join(" or ", required)}")
            : AuthenticationVerdict.Unauthorized(null, "credentials required");
    }

    private AuthenticationMethods Methods() => _methods.For(_options.Current.Authentication);

    /// <summary>
    /// The <c>jwt</c> method in force, or null when <c>Authentication:Methods</c> does not list it (or does not
    /// load): the HTTP API takes the same tokens, with the same roles, so the console's admin view needs no second login.
    /// </summary>
    public JwtAuthenticator? Jwt => Methods().Methods.Select(m => m.Authenticator).OfType<JwtAuthenticator>().FirstOrDefault();

    private AuthenticationMethods Build(AuthenticationOptions authentication)
    {
        var problems = new List<string>();
        // The configuration check built the same methods before this configuration was accepted; a key file that
        // became unreadable since then refuses every handshake rather than letting anyone in.
        var methods = AuthenticationMethods.Build(authentication, _options.Current.ResolvePath, problems);
        if (methods is null)
        {
            _log.Error("Authentication cannot be set up, so every upgrade is refused: {Problems}", problems);
            methods = AuthenticationMethods.Unusable(authentication, problems);
        }

        return methods;
    }
}

/// <summary>The outcome of <see cref="HandshakeAuthentication"/>: an identity, or the HTTP refusal to send.</summary>
internal sealed record AuthenticationVerdict(CallerIdentity? Identity, HttpResponse? Refusal, string? Reason, string? Method)
{
    public static AuthenticationVerdict Anonymous { get; } = new(CallerIdentity.Anonymous, null, null, null);

    public static AuthenticationVerdict Accepted(CallerIdentity identity) => new(identity, null, null, identity.AuthenticatedBy);

    /// <summary>401: no credentials, or bad ones. RFC 6750 3: the challenge names the scheme and, for a bad token, the error.</summary>
    public static AuthenticationVerdict Unauthorized(string? method, string reason) => new(
        null,
        HttpResponse.Text(401, $"Unauthorized: {reason}.", [new("WWW-Authenticate", method is null ? "Bearer" : "Bearer error=\"invalid_token\"")]),
        reason,
        method);

    public static AuthenticationVerdict Forbidden(string method, string reason) =>
        new(null, HttpResponse.Text(403, $"Forbidden: {reason}."), reason, method);

    /// <summary>503: the gateway cannot authenticate right now (a plugin authenticator missing or failing).</summary>
    public static AuthenticationVerdict Unavailable(string reason) =>
        new(null, HttpResponse.Text(503, $"Cannot authenticate: {reason}.", [new("Retry-After", "5")]), reason, null);
}
