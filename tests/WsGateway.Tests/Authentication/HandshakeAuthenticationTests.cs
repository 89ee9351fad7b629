using System.Text;
using Serilog.Events;
using WsGateway.Authentication;
using WsGateway.Contracts;
using WsGateway.Options;
using WsGateway.Protocol;
using WsGateway.Tests.Plugins;

namespace WsGateway.Tests.Authentication;

public sealed class HandshakeAuthenticationTests
{
    private const string BotKey = "bot-key-0123456789abcdef";

    private readonly LogRecorder _log = new();
    private readonly AuthenticatorRegistry _plugins = new();
    private LiveOptions _options = new(new GatewayOptions());

    private HandshakeAuthentication Create(AuthenticationOptions authentication)
    {
        _options = new LiveOptions(new GatewayOptions { Authentication = authentication });
        return new HandshakeAuthentication(_options, _plugins, _log.Logger);
    }

    private HandshakeAuthentication Create(params string[] methods) => Create(Settings(methods));

    private static AuthenticationOptions Settings(params string[] methods) => new()
    {
        Methods = methods,
        Jwt = methods.Contains("jwt") ? new JwtOptions { Issuer = Tokens.Issuer, Audience = Tokens.Audience, SigningKey = Tokens.Secret } : new JwtOptions(),
        ApiKeys = methods.Contains("apikey") ? [new ApiKeyOptions { Name = "bot", Key = BotKey, Roles = ["ops"] }] : [],
    };

    private void Plugin(string source, params IAuthenticator[] authenticators) => _plugins.SetSource(source, authenticators);

    private static Task<AuthenticationVerdict> Authenticate(HandshakeAuthentication authentication, HttpRequestHead head) =>
        authentication.AuthenticateAsync(head, Requests.Remote, CancellationToken.None).AsTask();

    private static string Expired() => Tokens.Create(
        "alice", change: d => (d.IssuedAt, d.NotBefore, d.Expires) = (DateTime.UtcNow.AddHours(-2), DateTime.UtcNow.AddHours(-2), DateTime.UtcNow.AddHours(-1)));

    private static string Body(AuthenticationVerdict verdict) => Encoding.UTF8.GetString(verdict.Refusal!.Body.Span);

    private static string? Header(AuthenticationVerdict verdict, string name) =>
        verdict.Refusal!.Headers?.Where(h => h.Key == name).Select(h => h.Value).SingleOrDefault();

    private static CallerIdentity AssertAccepted(AuthenticationVerdict verdict)
    {
        Assert.True(verdict.Refusal is null, $"refused: {verdict.Reason}");
        Assert.Null(verdict.Reason);
        return Assert.IsType<CallerIdentity>(verdict.Identity);
    }

    private static void AssertUnauthorized(AuthenticationVerdict verdict, string? method, string reason)
    {
        Assert.Null(verdict.Identity);
        Assert.Equal(401, verdict.Refusal?.Status);
        Assert.Equal(method, verdict.Method);
        Assert.Equal(reason, verdict.Reason);
        Assert.Equal($"Unauthorized: {reason}.\n", Body(verdict));
        Assert.Equal(method is null ? "Bearer" : "Bearer error=\"invalid_token\"", Header(verdict, "WWW-Authenticate"));
    }

    private bool Logged(LogEventLevel level, string fragment) =>
        _log.Lines.Any(l => l.Level == level && l.Message.Replace("\"", "", StringComparison.Ordinal).Contains(fragment, StringComparison.Ordinal));

    [Fact]
    public async Task With_none_everyone_is_anonymous_whatever_they_send()
    {
        var authentication = Create(new AuthenticationOptions());
        Assert.Same(AuthenticationVerdict.Anonymous, await Authenticate(authentication, Requests.Upgrade()));
        var verdict = await Authenticate(authentication, Requests.WithBearer(Expired()));
        Assert.Same(CallerIdentity.Anonymous, verdict.Identity);
        Assert.Null(verdict.Refusal);
    }

    [Fact]
    public async Task A_valid_token_is_accepted_as_its_subject()
    {
        var verdict = await Authenticate(Create("jwt"), Requests.WithBearer(Tokens.Create("alice", claims: ("roles", "admin"))));
        var identity = AssertAccepted(verdict);
        Assert.Equal("alice", identity.Name);
        Assert.Equal(["admin"], identity.Roles);
        Assert.Equal("jwt", verdict.Method);
    }

    [Fact]
    public async Task No_credentials_get_401_with_a_bearer_challenge()
    {
        var verdict = await Authenticate(Create("jwt", "apikey"), Requests.Upgrade());
        AssertUnauthorized(verdict, null, "credentials required");
    }

    [Fact]
    public async Task A_bad_token_gets_401_with_an_invalid_token_challenge_and_no_token_in_the_answer()
    {
        var token = Expired();
        var verdict = await Authenticate(Create("jwt"), Requests.WithBearer(token));
        AssertUnauthorized(verdict, "jwt", "token expired");
        Assert.DoesNotContain(token.Split('.')[2], Body(verdict), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jwt_and_apikey_each_take_their_own_credentials()
    {
        var authentication = Create("jwt", "apikey");

        Assert.Equal("alice (jwt)", AssertAccepted(await Authenticate(authentication, Requests.WithBearer(Tokens.Create("alice")))).ToString());
        var bot = AssertAccepted(await Authenticate(authentication, Requests.WithBearer(BotKey)));
        Assert.Equal("bot (apikey)", bot.ToString());
        Assert.Equal(["ops"], bot.Roles);
        AssertUnauthorized(await Authenticate(authentication, Requests.WithBearer("not-the-bot-key-0123456789")), "apikey", "unknown API key");
        AssertUnauthorized(await Authenticate(authentication, Requests.WithBearer(Expired())), "jwt", "token expired");
    }

    [Fact]
    public async Task The_first_method_that_accepts_wins_and_later_ones_are_not_asked()
    {
        var first = ScriptedAuthenticator.Accepting("first", "one");
        var second = ScriptedAuthenticator.Accepting("second", "two");
        Plugin("plugin:P", first, second);

        var identity = AssertAccepted(await Authenticate(Create("plugin:first", "plugin:second"), Requests.Upgrade()));

        Assert.Equal("one", identity.Name);
        Assert.Equal(1, first.Calls);
        Assert.Equal(0, second.Calls);
    }

    [Fact]
    public async Task After_a_failure_a_later_method_may_still_accept()
    {
        var strict = ScriptedAuthenticator.Failing("strict", "not on the list");
        Plugin("plugin:P", strict);

        var identity = AssertAccepted(await Authenticate(Create("plugin:strict", "apikey"), Requests.WithBearer(BotKey)));

        Assert.Equal("bot", identity.Name);
        Assert.Equal(1, strict.Calls);
    }

    [Fact]
    public async Task When_nothing_accepts_the_first_failure_is_the_reason()
    {
        Plugin("plugin:P", ScriptedAuthenticator.Failing("strict", "not on the list"), ScriptedAuthenticator.Failing("other", "second reason"));
        var verdict = await Authenticate(Create("plugin:other", "plugin:strict", "jwt"), Requests.Upgrade());
        AssertUnauthorized(verdict, "plugin:other", "second reason");
    }

    [Fact]
    public async Task Jwt_then_none_lets_anonymous_callers_in_and_token_holders_as_themselves()
    {
        var authentication = Create("jwt", "none");

        var anonymous = await Authenticate(authentication, Requests.Upgrade());
        Assert.Same(CallerIdentity.Anonymous, AssertAccepted(anonymous));
        Assert.Equal("none", anonymous.Method);

        Assert.Equal("alice", AssertAccepted(await Authenticate(authentication, Requests.WithBearer(Tokens.Create("alice")))).Name);
    }

    [Fact]
    public async Task Jwt_then_none_still_refuses_a_bad_token()
    {
        var authentication = Create("jwt", "none");
        AssertUnauthorized(await Authenticate(authentication, Requests.WithBearer(Expired())), "jwt", "token expired");
        AssertUnauthorized(await Authenticate(authentication, Requests.WithBearer(Tokens.Unsigned())), "jwt", "token signature is invalid or missing");
    }

    [Fact]
    public async Task A_method_that_forbids_gives_403_at_once()
    {
        var gate = new ScriptedAuthenticator("gate", _ => AuthenticationResult.Forbid("not during maintenance"));
        var later = ScriptedAuthenticator.Accepting("later", "someone");
        Plugin("plugin:P", gate, later);

        var verdict = await Authenticate(Create("plugin:gate", "plugin:later"), Requests.Upgrade());

        Assert.Null(verdict.Identity);
        Assert.Equal(403, verdict.Refusal?.Status);
        Assert.Equal("plugin:gate", verdict.Method);
        Assert.Equal("not during maintenance", verdict.Reason);
        Assert.Equal("Forbidden: not during maintenance.\n", Body(verdict));
        Assert.Null(Header(verdict, "WWW-Authenticate"));
        Assert.Equal(0, later.Calls);
    }

    [Fact]
    public async Task A_caller_without_a_required_role_gets_403()
    {
        var settings = Settings("jwt", "apikey");
        settings.RequiredRoles = ["admin", "root"];
        var authentication = Create(settings);

        var bot = await Authenticate(authentication, Requests.WithBearer(BotKey));
        Assert.Equal(403, bot.Refusal?.Status);
        Assert.Equal("apikey", bot.Method);
        Assert.Equal("bot does not have the role admin or root", bot.Reason);
        Assert.Null(bot.Identity);

        var admin = AssertAccepted(await Authenticate(authentication, Requests.WithBearer(Tokens.Create("alice", claims: ("roles", "root")))));
        Assert.Equal("alice", admin.Name);
    }

    [Fact]
    public async Task Required_roles_refuse_anonymous_callers_with_401()
    {
        var settings = Settings("jwt", "none");
        settings.RequiredRoles = ["admin"];
        AssertUnauthorized(await Authenticate(Create(settings), Requests.Upgrade()), null, "credentials required");
    }

    [Fact]
    public async Task Required_roles_refuse_anonymous_callers_even_when_none_is_the_only_method()
    {
        var settings = Settings("none");
        settings.RequiredRoles = ["admin"];
        AssertUnauthorized(await Authenticate(Create(settings), Requests.Upgrade()), null, "credentials required");
    }

    [Fact]
    public async Task A_plugin_method_no_plugin_defines_gives_503_and_a_warning()
    {
        var verdict = await Authenticate(Create("plugin:Sso"), Requests.Upgrade());

        Assert.Null(verdict.Identity);
        Assert.Equal(503, verdict.Refusal?.Status);
        Assert.Equal("authentication method plugin:Sso is not loaded", verdict.Reason);
        Assert.Equal("5", Header(verdict, "Retry-After"));
        Assert.True(Logged(LogEventLevel.Warning, "Authentication method plugin:Sso is not loaded (no plugin defines an IAuthenticator named Sso)"), _log.ToString());
    }

    [Fact]
    public async Task A_plugin_method_is_found_by_name_case_insensitively_while_its_plugin_is_loaded()
    {
        var authentication = Create("plugin:sso");
        var sso = ScriptedAuthenticator.Accepting("SSO", "dana", "ops");
        Plugin("plugin:CorpSso", sso);

        var identity = AssertAccepted(await Authenticate(authentication, Requests.Upgrade("/chat?ticket=1")));
        Assert.Equal("dana", identity.Name);
        Assert.Equal("SSO", identity.AuthenticatedBy);
        Assert.Equal("/chat", sso.LastRequest?.Path);
        Assert.Equal("1", sso.LastRequest?.Query["ticket"]);
        Assert.Same(Requests.Remote, sso.LastRequest?.RemoteEndPoint);

        _plugins.RemoveSource("plugin:CorpSso");
        Assert.Equal(503, (await Authenticate(authentication, Requests.Upgrade())).Refusal?.Status);
    }

    [Fact]
    public async Task A_plugin_method_that_completes_later_is_awaited()
    {
        Plugin("plugin:P", new ScriptedAuthenticator("slow", _ => AuthenticationResult.Fail("ticket unknown"), completeLater: true));
        AssertUnauthorized(await Authenticate(Create("plugin:slow"), Requests.Upgrade()), "plugin:slow", "ticket unknown");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_plugin_method_that_throws_gives_503_and_is_logged(bool async)
    {
        Plugin("plugin:P", new ThrowingAuthenticator("boom", new InvalidOperationException("directory unreachable"), async));

        var verdict = await Authenticate(Create("plugin:boom", "none"), Requests.Upgrade());

        Assert.Equal(503, verdict.Refusal?.Status);
        Assert.Equal("authentication method plugin:boom failed", verdict.Reason);
        Assert.DoesNotContain("directory unreachable", Body(verdict), StringComparison.Ordinal);
        var line = Assert.Single(_log.Lines, l => l.Level == LogEventLevel.Error);
        Assert.Contains("plugin:boom", line.Message, StringComparison.Ordinal);
        Assert.Equal(nameof(InvalidOperationException), line.ExceptionType);
        Assert.Equal("directory unreachable", line.ExceptionMessage);
    }

    [Fact]
    public async Task A_plugin_method_that_cancels_on_its_own_is_a_failure_not_a_timeout()
    {
        Plugin("plugin:P", new ThrowingAuthenticator("impatient", new OperationCanceledException(), async: true));
        var verdict = await Authenticate(Create("plugin:impatient"), Requests.Upgrade());
        Assert.Equal(503, verdict.Refusal?.Status);
        Assert.True(Logged(LogEventLevel.Error, "Authentication method plugin:impatient failed"), _log.ToString());
    }

    [Fact]
    public async Task A_plugin_method_that_ignores_cancellation_is_abandoned_when_the_handshake_is_cancelled()
    {
        var hanging = new HangingAuthenticator("hang");
        Plugin("plugin:P", hanging);
        var authentication = Create("plugin:hang");
        using var cancellation = new CancellationTokenSource();

        var pending = authentication.AuthenticateAsync(Requests.Upgrade(), Requests.Remote, cancellation.Token).AsTask();
        await hanging.Entered;
        Assert.False(pending.IsCompleted);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        Assert.DoesNotContain(_log.Lines, l => l.Level >= LogEventLevel.Error);
    }

    [Fact]
    public async Task An_already_cancelled_handshake_does_not_wait_for_a_plugin_method()
    {
        Plugin("plugin:P", new HangingAuthenticator("hang"));
        var authentication = Create("plugin:hang");
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => authentication.AuthenticateAsync(Requests.Upgrade(), Requests.Remote, cancellation.Token).AsTask());
    }

    [Fact]
    public async Task A_reload_brings_the_new_methods_into_force()
    {
        var authentication = Create(new AuthenticationOptions());
        Assert.Same(AuthenticationVerdict.Anonymous, await Authenticate(authentication, Requests.Upgrade()));

        _options.Reload(new GatewayOptions { Authentication = Settings("apikey") });
        AssertUnauthorized(await Authenticate(authentication, Requests.Upgrade()), null, "credentials required");
        Assert.Equal("bot", AssertAccepted(await Authenticate(authentication, Requests.WithBearer(BotKey))).Name);

        var next = Settings("apikey");
        next.ApiKeys[0].Key = "rotated-key-0123456789abcdef";
        _options.Reload(new GatewayOptions { Authentication = next });
        AssertUnauthorized(await Authenticate(authentication, Requests.WithBearer(BotKey)), "apikey", "unknown API key");
        Assert.Equal("bot", AssertAccepted(await Authenticate(authentication, Requests.WithBearer("rotated-key-0123456789abcdef"))).Name);

        _options.Reload(new GatewayOptions());
        Assert.Same(AuthenticationVerdict.Anonymous, await Authenticate(authentication, Requests.Upgrade()));
    }

    [Fact]
    public async Task Methods_that_no_longer_build_refuse_every_handshake_and_are_logged_once()
    {
        var settings = Settings("jwt", "none");
        settings.Jwt.PublicKeyFile = Path.Combine(Path.GetTempPath(), "wsgateway-deleted-" + Guid.NewGuid().ToString("N") + ".pem");
        var authentication = Create(settings);

        foreach (var head in new[] { Requests.Upgrade(), Requests.WithBearer(Tokens.Create("alice")) })
        {
            var verdict = await Authenticate(authentication, head);
            Assert.Null(verdict.Identity);
            Assert.Equal(503, verdict.Refusal?.Status);
            Assert.Equal("authentication is misconfigured (see the gateway's log)", verdict.Reason);
        }

        var error = Assert.Single(_log.Lines, l => l.Level == LogEventLevel.Error);
        Assert.Contains("Authentication cannot be set up, so every upgrade is refused", error.Message, StringComparison.Ordinal);
        Assert.Contains("PublicKeyFile", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Tokens.Secret, error.Message, StringComparison.Ordinal);
    }
}
