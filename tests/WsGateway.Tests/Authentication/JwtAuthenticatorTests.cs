using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using WsGateway.Authentication;
using WsGateway.Contracts;
using WsGateway.Options;

namespace WsGateway.Tests.Authentication;

public sealed class JwtAuthenticatorTests
{
    private static JwtOptions Options(Action<JwtOptions>? change = null)
    {
        var options = new JwtOptions { Issuer = Tokens.Issuer, Audience = Tokens.Audience, SigningKey = Tokens.Secret };
        change?.Invoke(options);
        return options;
    }

    private static JwtAuthenticator Authenticator(Action<JwtOptions>? change = null, Func<string, string>? resolvePath = null)
    {
        var problems = new List<string>();
        var authenticator = JwtAuthenticator.Create(Options(change), resolvePath ?? Path.GetFullPath, problems);
        Assert.Empty(problems);
        return Assert.IsType<JwtAuthenticator>(authenticator);
    }

    private static AuthenticationResult Authenticate(JwtAuthenticator authenticator, string token) =>
        Authenticate(authenticator, Requests.Bearer(token));

    private static AuthenticationResult Authenticate(JwtAuthenticator authenticator, IUpgradeRequest request)
    {
        // JsonWebTokenHandler validates in memory (the keys are loaded up front), so waiting here blocks on no I/O.
        return authenticator.AuthenticateAsync(request, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    private static CallerIdentity Accepted(JwtAuthenticator authenticator, string token)
    {
        var result = Authenticate(authenticator, token);
        Assert.True(result.Outcome == AuthenticationOutcome.Accepted, $"refused: {result.Reason}");
        return result.Identity!;
    }

    /// <summary>Refused with 401 for <paramref name="reason"/>, and the reason repeats no part of the token.</summary>
    private static void AssertFails(JwtAuthenticator authenticator, string token, string reason)
    {
        var result = Authenticate(authenticator, token);
        Assert.Equal(AuthenticationOutcome.Failed, result.Outcome);
        Assert.Null(result.Identity);
        Assert.Equal(reason, result.Reason);
        foreach (var part in token.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.DoesNotContain(part, result.Reason, StringComparison.Ordinal);
        }
    }

    private static DateTime WholeSeconds(DateTime utc) => new(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    [Fact]
    public void A_valid_hs256_token_is_accepted_as_its_subject_with_its_expiry_plus_the_clock_skew()
    {
        var expires = WholeSeconds(DateTime.UtcNow.AddMinutes(42));
        var token = Tokens.Create("alice", change: d => d.Expires = expires, claims: ("roles", "admin"));

        var identity = Accepted(Authenticator(), token);

        Assert.True(identity.IsAuthenticated);
        Assert.Equal("alice", identity.Name);
        Assert.Equal("jwt", identity.AuthenticatedBy);
        Assert.Equal(["admin"], identity.Roles);
        // The session lasts as long as the handshake would accept the token: exp plus the default 30 s of skew.
        Assert.Equal(new DateTimeOffset(expires).AddSeconds(30), identity.ExpiresAt);
        Assert.Equal(Tokens.Issuer, identity.FindClaim("iss"));
        Assert.Equal("alice", identity.FindClaim("sub"));
        Assert.Equal("alice (jwt)", identity.ToString());
    }

    [Fact]
    public void Roles_come_from_a_roles_array_one_per_value()
    {
        var token = Tokens.Create("bob", claims: ("roles", new[] { "admin", "ops" }));
        var identity = Accepted(Authenticator(), token);
        Assert.Equal(["admin", "ops"], identity.Roles);
        Assert.True(identity.IsInRole("ops"));
        Assert.False(identity.IsInRole("Admin"));
    }

    [Fact]
    public void Scopes_count_as_roles_split_on_spaces()
    {
        var token = Tokens.Create("carol", claims: [("scope", "read  write"), ("roles", "admin")]);
        var identity = Accepted(Authenticator(), token);
        Assert.Equal(["admin", "read", "write"], identity.Roles.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_token_without_roles_or_scope_has_no_roles()
    {
        Assert.Empty(Accepted(Authenticator(), Tokens.Create("dave")).Roles);
    }

    [Fact]
    public void Name_and_role_claims_can_be_configured()
    {
        var authenticator = Authenticator(o => (o.NameClaim, o.RoleClaim) = ("preferred_username", "groups"));
        var token = Tokens.Create("subject-id-1", claims: [("preferred_username", "erin"), ("groups", new[] { "ops" }), ("roles", "ignored")]);

        var identity = Accepted(authenticator, token);

        Assert.Equal("erin", identity.Name);
        Assert.Equal(["ops"], identity.Roles);
    }

    [Fact]
    public void A_valid_token_without_the_name_claim_is_refused()
    {
        AssertFails(Authenticator(), Tokens.Create(subject: null, claims: ("roles", "admin")), "token has no sub claim");
        AssertFails(Authenticator(o => o.NameClaim = "email"), Tokens.Create("frank"), "token has no email claim");
    }

    [Fact]
    public void An_expired_token_is_refused()
    {
        var now = DateTime.UtcNow;
        var token = Tokens.Create(change: d => (d.IssuedAt, d.NotBefore, d.Expires) = (now.AddHours(-2), now.AddHours(-2), now.AddMinutes(-10)));
        AssertFails(Authenticator(), token, "token expired");
    }

    [Fact]
    public void A_token_that_expired_within_the_clock_skew_is_still_accepted()
    {
        var now = DateTime.UtcNow;
        var token = Tokens.Create(change: d => (d.IssuedAt, d.NotBefore, d.Expires) = (now.AddHours(-2), now.AddHours(-2), now.AddMinutes(-1)));
        Assert.Equal("alice", Accepted(Authenticator(o => o.ClockSkewSeconds = 600), token).Name);
        AssertFails(Authenticator(o => o.ClockSkewSeconds = 0), token, "token expired");
    }

    [Fact]
    public void A_token_not_valid_yet_beyond_the_clock_skew_is_refused()
    {
        var now = DateTime.UtcNow;
        var token = Tokens.Create(change: d => (d.IssuedAt, d.NotBefore, d.Expires) = (now, now.AddMinutes(10), now.AddMinutes(20)));
        AssertFails(Authenticator(), token, "token not yet valid");
    }

    [Fact]
    public void A_token_without_an_expiry_is_refused()
    {
        var token = Tokens.SignedPayload($$"""{"iss":"{{Tokens.Issuer}}","aud":"{{Tokens.Audience}}","sub":"alice"}""");
        AssertFails(Authenticator(), token, "token has no expiry");
    }

    [Fact]
    public void A_token_for_another_audience_is_refused()
    {
        AssertFails(Authenticator(), Tokens.Create(change: d => d.Audience = "another-service"), "token is for another audience");
    }

    [Fact]
    public void A_token_from_another_issuer_is_refused()
    {
        AssertFails(Authenticator(), Tokens.Create(change: d => d.Issuer = "https://evil.test"), "token is from another issuer");
    }

    [Fact]
    public void A_token_signed_with_another_secret_is_refused()
    {
        // Without a kid every configured key is tried; none verifying it, the key is unknown.
        AssertFails(Authenticator(), Tokens.Create(credentials: Tokens.Hs256(Tokens.OtherSecret)), "token signed with an unknown key");
    }

    [Fact]
    public void A_token_whose_signature_was_tampered_with_is_refused()
    {
        var token = Tokens.Create("alice");
        var parts = token.Split('.');
        var forged = Tokens.Create("root", credentials: Tokens.Hs256(Tokens.OtherSecret)).Split('.');
        // alice's signature on root's header and payload.
        AssertFails(Authenticator(), $"{forged[0]}.{forged[1]}.{parts[2]}", "token signed with an unknown key");
    }

    [Fact]
    public void An_unsigned_alg_none_token_is_refused()
    {
        var token = Tokens.Unsigned();
        Assert.EndsWith(".", token, StringComparison.Ordinal);
        AssertFails(Authenticator(), token, "token signature is invalid or missing");
    }

    [Theory]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.not*base64.c2ln")]
    [InlineData("eyJub3QganNvbg.eyJzdWIiOiJ4In0.c2ln")]
    [InlineData("eyJ.eyJ.eyJ")]
    public void A_malformed_token_is_refused(string token)
    {
        AssertFails(Authenticator(), token, "token is malformed");
    }

    [Fact]
    public void A_request_without_a_bearer_token_has_no_credentials_for_jwt()
    {
        var authenticator = Authenticator();
        Assert.Same(AuthenticationResult.NoCredentials, Authenticate(authenticator, Requests.Seen(Requests.Upgrade())));
        Assert.Same(AuthenticationResult.NoCredentials, Authenticate(authenticator, Requests.Bearer("an-api-key-not-a-token-0123456789")));
        Assert.Same(AuthenticationResult.NoCredentials, Authenticate(authenticator, Requests.Seen(Requests.Upgrade("/", "Authorization: Basic YWxpY2U6c2VjcmV0"))));
        Assert.Same(AuthenticationResult.NoCredentials, Authenticate(authenticator, Requests.Seen(Requests.Upgrade("/", "Authorization: Bearer   "))));
    }

    [Fact]
    public void The_token_may_come_in_the_access_token_query_parameter()
    {
        var token = Tokens.Create("grace");
        var identity = Authenticate(Authenticator(), Requests.Seen(Requests.Upgrade($"/?room=1&access_token={token}"))).Identity;
        Assert.Equal("grace", identity?.Name);
    }

    [Fact]
    public void An_authorization_header_is_used_instead_of_the_query_parameter()
    {
        var good = Tokens.Create("grace");
        var expired = Tokens.Create("grace", change: d => (d.IssuedAt, d.NotBefore, d.Expires) = (DateTime.UtcNow.AddHours(-2), DateTime.UtcNow.AddHours(-2), DateTime.UtcNow.AddHours(-1)));
        var request = Requests.Seen(Requests.Upgrade($"/?access_token={good}", $"Authorization: Bearer {expired}"));
        Assert.Equal("token expired", Authenticate(Authenticator(), request).Reason);
    }

    [Fact]
    public void Rsa_tokens_are_checked_against_a_pem_public_key_file()
    {
        using var folder = new TemporaryFolder();
        using var issuerKey = RSA.Create(2048);
        using var otherKey = RSA.Create(2048);
        var pem = issuerKey.ExportSubjectPublicKeyInfoPem();
        folder.Write("issuer.pem", pem);
        var authenticator = Authenticator(o => (o.SigningKey, o.PublicKeyFile) = ("", "issuer.pem"), folder.Resolve);

        var identity = Accepted(authenticator, Tokens.Create("heidi", new SigningCredentials(new RsaSecurityKey(issuerKey), SecurityAlgorithms.RsaSha256)));
        Assert.Equal("heidi", identity.Name);

        AssertFails(authenticator, Tokens.Create("heidi", new SigningCredentials(new RsaSecurityKey(otherKey), SecurityAlgorithms.RsaSha256)),
            "token signed with an unknown key");
        // Algorithm confusion: an HMAC token keyed with the public key's text must not pass as signed by the issuer.
        AssertFails(authenticator, Tokens.Create("heidi", Tokens.Hs256(pem)), "token signed with an unknown key");
    }

    [Fact]
    public void Ec_tokens_are_checked_against_a_pem_public_key_file()
    {
        using var folder = new TemporaryFolder();
        using var issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        folder.Write("issuer-ec.pem", issuerKey.ExportSubjectPublicKeyInfoPem());
        var authenticator = Authenticator(o => (o.SigningKey, o.PublicKeyFile) = ("", "issuer-ec.pem"), folder.Resolve);

        var token = Tokens.Create("ivan", new SigningCredentials(new ECDsaSecurityKey(issuerKey), SecurityAlgorithms.EcdsaSha256));
        Assert.Equal("ivan", Accepted(authenticator, token).Name);
    }

    [Fact]
    public void Rsa_tokens_are_checked_against_the_jwks_key_their_kid_names()
    {
        using var folder = new TemporaryFolder();
        using var first = RSA.Create(2048);
        using var second = RSA.Create(2048);
        using var unknown = RSA.Create(2048);
        folder.Write("jwks.json", $$"""{ "keys": [ {{Jwk(first, "key-1")}}, {{Jwk(second, "key-2")}} ] }""");
        var authenticator = Authenticator(o => (o.SigningKey, o.JwksFile) = ("", "jwks.json"), folder.Resolve);

        Assert.Equal("judy", Accepted(authenticator, Tokens.Create("judy", Rs256(second, "key-2"))).Name);
        Assert.Equal("judy", Accepted(authenticator, Tokens.Create("judy", Rs256(first, "key-1"))).Name);
        AssertFails(authenticator, Tokens.Create("judy", Rs256(unknown, "key-3")), "token signed with an unknown key");
        // The right kid on a signature by another key.
        AssertFails(authenticator, Tokens.Create("judy", Rs256(unknown, "key-1")), "token signature is invalid or missing");
    }

    [Fact]
    public void Keys_from_the_secret_and_a_key_file_are_all_accepted()
    {
        using var folder = new TemporaryFolder();
        using var issuerKey = RSA.Create(2048);
        folder.Write("issuer.pem", issuerKey.ExportSubjectPublicKeyInfoPem());
        var authenticator = Authenticator(o => o.PublicKeyFile = "issuer.pem", folder.Resolve);

        Assert.Equal("kim", Accepted(authenticator, Tokens.Create("kim")).Name);
        Assert.Equal("kim", Accepted(authenticator, Tokens.Create("kim", Rs256(issuerKey, null))).Name);
    }

    private static SigningCredentials Rs256(RSA key, string? kid) =>
        new(new RsaSecurityKey(key) { KeyId = kid }, SecurityAlgorithms.RsaSha256);

    private static string Jwk(RSA key, string kid)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        return $$"""{ "kty": "RSA", "use": "sig", "alg": "RS256", "kid": "{{kid}}", "n": "{{Base64UrlEncoder.Encode(parameters.Modulus)}}", "e": "{{Base64UrlEncoder.Encode(parameters.Exponent)}}" }""";
    }

    [Fact]
    public void Missing_settings_are_each_reported()
    {
        var problems = new List<string>();
        Assert.Null(JwtAuthenticator.Create(new JwtOptions(), Path.GetFullPath, problems));
        Assert.Equal(
            [
                "Authentication:Jwt:Issuer is empty (the iss every token must carry)",
                "Authentication:Jwt:Audience is empty (the aud every token must carry)",
                "Authentication:Jwt has no key: set SigningKey, PublicKeyFile or JwksFile",
            ],
            problems);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(601)]
    [InlineData(double.NaN)]
    public void A_clock_skew_outside_0_to_600_seconds_is_reported(double seconds)
    {
        var problems = new List<string>();
        Assert.Null(JwtAuthenticator.Create(Options(o => o.ClockSkewSeconds = seconds), Path.GetFullPath, problems));
        Assert.Equal([$"Authentication:Jwt:ClockSkewSeconds must be between 0 and 600 (was {seconds})"], problems);
    }

    [Fact]
    public void Empty_claim_names_are_reported()
    {
        var problems = new List<string>();
        Assert.Null(JwtAuthenticator.Create(Options(o => o.RoleClaim = " "), Path.GetFullPath, problems));
        Assert.Equal(["Authentication:Jwt:NameClaim and RoleClaim must name claims"], problems);
    }

    [Fact]
    public void A_short_signing_key_is_reported_without_repeating_it()
    {
        const string Short = "only-31-bytes-of-secret-0123456";
        var problems = new List<string>();
        Assert.Null(JwtAuthenticator.Create(Options(o => o.SigningKey = Short), Path.GetFullPath, problems));
        var problem = Assert.Single(problems);
        Assert.Equal("Authentication:Jwt:SigningKey is too short to be a secret (at least 32 bytes, for HS256)", problem);
        Assert.DoesNotContain(Short, problem, StringComparison.Ordinal);

        // 32 bytes of UTF-8 are enough, however few characters they are.
        Assert.NotNull(JwtAuthenticator.Create(Options(o => o.SigningKey = new string('é', 16)), Path.GetFullPath, problems));
        Assert.Single(problems);
    }

    [Fact]
    public void Key_files_that_cannot_be_read_or_hold_no_key_are_reported()
    {
        using var folder = new TemporaryFolder();
        folder.Write("garbage.pem", "-----BEGIN NOTHING-----\nAAAA\n-----END NOTHING-----\n");
        folder.Write("broken.pem", "-----BEGIN PUBLIC KEY-----\nAAAAAAAA\n-----END PUBLIC KEY-----\n");
        folder.Write("notjson.json", "this is not json");
        folder.Write("empty.json", """{ "keys": [] }""");

        var problems = new List<string>();
        Assert.Null(JwtAuthenticator.Create(Options(o => (o.SigningKey, o.PublicKeyFile) = ("", "missing.pem")), folder.Resolve, problems));
        Assert.StartsWith("Authentication:Jwt:PublicKeyFile \"missing.pem\" cannot be read: ", Assert.Single(problems));

        problems.Clear();
        Assert.Null(JwtAuthenticator.Create(Options(o => (o.SigningKey, o.PublicKeyFile) = ("", "garbage.pem")), folder.Resolve, problems));
        Assert.Equal(["Authentication:Jwt:PublicKeyFile \"garbage.pem\" holds no PEM RSA or EC public key"], problems);

        problems.Clear();
        Assert.Null(JwtAuthenticator.Create(Options(o => (o.SigningKey, o.PublicKeyFile) = ("", "broken.pem")), folder.Resolve, problems));
        Assert.Equal(["Authentication:Jwt:PublicKeyFile \"broken.pem\" holds no PEM RSA or EC public key"], problems);

        problems.Clear();
        Assert.Null(JwtAuthenticator.Create(Options(o => (o.SigningKey, o.JwksFile) = ("", "notjson.json")), folder.Resolve, problems));
        Assert.StartsWith("Authentication:Jwt:JwksFile \"notjson.json\" is not a JSON Web Key Set: ", Assert.Single(problems));

        problems.Clear();
        Assert.Null(JwtAuthenticator.Create(Options(o => (o.SigningKey, o.JwksFile) = ("", "empty.json")), folder.Resolve, problems));
        Assert.Equal(["Authentication:Jwt:JwksFile \"empty.json\" has no signing key"], problems);
    }
}
