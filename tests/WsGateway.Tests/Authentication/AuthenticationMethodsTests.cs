using WsGateway.Authentication;
using WsGateway.Options;

namespace WsGateway.Tests.Authentication;

public sealed class AuthenticationMethodsTests
{
    private static AuthenticationOptions Options(params string[] methods) => new() { Methods = methods };

    private static List<string> Problems(AuthenticationOptions options, Func<string, string>? resolvePath = null)
    {
        var problems = new List<string>();
        Assert.Null(AuthenticationMethods.Build(options, resolvePath ?? Path.GetFullPath, problems));
        Assert.NotEmpty(problems);
        return problems;
    }

    private static AuthenticationMethods Built(AuthenticationOptions options)
    {
        var problems = new List<string>();
        var methods = AuthenticationMethods.Build(options, Path.GetFullPath, problems);
        Assert.Empty(problems);
        return Assert.IsType<AuthenticationMethods>(methods);
    }

    private static JwtOptions ValidJwt() => new() { Issuer = Tokens.Issuer, Audience = Tokens.Audience, SigningKey = Tokens.Secret };

    [Fact]
    public void The_default_lets_everyone_in_anonymously()
    {
        var methods = Built(new AuthenticationOptions());
        Assert.True(methods.AnonymousOnly);
        Assert.Null(methods.Problems);
        var method = Assert.Single(methods.Methods);
        Assert.IsType<AnonymousAuthenticator>(method.Authenticator);
    }

    [Fact]
    public void None_with_required_roles_is_not_anonymous_only()
    {
        var methods = Built(new AuthenticationOptions { Methods = ["none"], RequiredRoles = ["admin"] });
        Assert.False(methods.AnonymousOnly);
        Assert.IsType<AnonymousAuthenticator>(Assert.Single(methods.Methods).Authenticator);
    }

    [Fact]
    public void Methods_are_built_in_the_listed_order_with_plugin_names_kept_for_later()
    {
        var options = new AuthenticationOptions
        {
            Methods = [" JWT ", "apikey", "plugin:Corp.Sso-2", "none"],
            Jwt = ValidJwt(),
            ApiKeys = [new ApiKeyOptions { Name = "bot", Key = "bot-key-0123456789abc" }],
        };

        var methods = Built(options);

        Assert.Same(options, methods.Source);
        Assert.False(methods.AnonymousOnly);
        Assert.Equal(["JWT", "apikey", "plugin:Corp.Sso-2", "none"], methods.Methods.Select(m => m.Name));
        Assert.IsType<JwtAuthenticator>(methods.Methods[0].Authenticator);
        Assert.IsType<ApiKeyAuthenticator>(methods.Methods[1].Authenticator);
        Assert.Null(methods.Methods[2].Authenticator);
        Assert.Equal("Corp.Sso-2", methods.Methods[2].PluginAuthenticator);
        Assert.IsType<AnonymousAuthenticator>(methods.Methods[3].Authenticator);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("")]
    [InlineData("plugin:")]
    [InlineData("plugin:two words")]
    [InlineData("plugin:a/b")]
    [InlineData("basic")]
    public void A_name_that_is_no_method_is_reported(string name)
    {
        Assert.Equal(
            [$"Authentication:Methods[1] \"{name}\" is not a method (none, jwt, apikey or plugin:NAME)"],
            Problems(Options("plugin:First", name)));
    }

    [Fact]
    public void None_must_be_the_last_method_because_it_lets_everyone_in()
    {
        Assert.Equal(
            ["Authentication:Methods[0] \"none\" must be the last method: it lets everyone in, so the ones after it would never run"],
            Problems(Options("none", "plugin:Sso")));
        var problems = new List<string>();
        Assert.NotNull(AuthenticationMethods.Build(Options("plugin:Sso", "none"), Path.GetFullPath, problems));
        Assert.Empty(problems);
    }

    [Theory]
    [InlineData("plugin:Corp", "plugin:CORP")]
    [InlineData("plugin:Sso", "PLUGIN:sso")]
    public void A_method_listed_twice_is_reported(string first, string second)
    {
        Assert.Equal([$"Authentication:Methods[1] \"{second}\" is listed twice"], Problems(Options(first, second)));
    }

    [Fact]
    public void No_methods_at_all_is_reported()
    {
        Assert.Equal(["Authentication:Methods is empty (use [\"none\"] to let everyone connect)"], Problems(Options()));
    }

    [Fact]
    public void Jwt_without_issuer_audience_or_key_is_reported_in_full()
    {
        Assert.Equal(
            [
                "Authentication:Jwt:Issuer is empty (the iss every token must carry)",
                "Authentication:Jwt:Audience is empty (the aud every token must carry)",
                "Authentication:Jwt has no key: set SigningKey, PublicKeyFile or JwksFile",
            ],
            Problems(Options("jwt")));
    }

    [Fact]
    public void A_short_jwt_signing_key_is_reported_without_repeating_it()
    {
        var options = new AuthenticationOptions { Methods = ["jwt"], Jwt = ValidJwt() };
        options.Jwt.SigningKey = "too-short-secret";
        var problem = Assert.Single(Problems(options));
        Assert.Equal("Authentication:Jwt:SigningKey is too short to be a secret (at least 32 bytes, for HS256)", problem);
        Assert.DoesNotContain("too-short-secret", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_key_file_is_reported_with_the_path_as_configured()
    {
        using var folder = new TemporaryFolder();
        var options = new AuthenticationOptions { Methods = ["jwt"], Jwt = ValidJwt() };
        options.Jwt.JwksFile = "keys/missing-jwks.json";
        Assert.StartsWith("Authentication:Jwt:JwksFile \"keys/missing-jwks.json\" cannot be read: ", Assert.Single(Problems(options, folder.Resolve)));
    }

    [Fact]
    public void Apikey_without_keys_is_reported()
    {
        Assert.Equal(["Authentication:Methods has \"apikey\" but Authentication:ApiKeys is empty"], Problems(Options("apikey")));
    }

    [Fact]
    public void Jwt_settings_without_the_jwt_method_are_reported()
    {
        var options = new AuthenticationOptions { Methods = ["none"], Jwt = new JwtOptions { Audience = "forgotten" } };
        Assert.Equal(["Authentication:Jwt is set but Authentication:Methods does not list \"jwt\""], Problems(options));
    }

    [Fact]
    public void An_empty_required_role_is_reported()
    {
        var options = new AuthenticationOptions { Methods = ["jwt"], Jwt = ValidJwt(), RequiredRoles = ["admin", " "] };
        Assert.Equal(["Authentication:RequiredRoles[1] is empty"], Problems(options));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var options = new AuthenticationOptions { Methods = ["jwt", "apikey", "magic"] };
        Assert.Equal(
            [
                "Authentication:Jwt:Issuer is empty (the iss every token must carry)",
                "Authentication:Jwt:Audience is empty (the aud every token must carry)",
                "Authentication:Jwt has no key: set SigningKey, PublicKeyFile or JwksFile",
                "Authentication:Methods has \"apikey\" but Authentication:ApiKeys is empty",
                "Authentication:Methods[2] \"magic\" is not a method (none, jwt, apikey or plugin:NAME)",
            ],
            Problems(options));
    }

    [Fact]
    public void Unusable_methods_have_no_method_and_keep_their_problems()
    {
        var options = new AuthenticationOptions { Methods = ["jwt"] };
        var unusable = AuthenticationMethods.Unusable(options, ["a key file is gone"]);
        Assert.Empty(unusable.Methods);
        Assert.False(unusable.AnonymousOnly);
        Assert.Equal(["a key file is gone"], unusable.Problems);
        Assert.Same(options, unusable.Source);
    }
}
