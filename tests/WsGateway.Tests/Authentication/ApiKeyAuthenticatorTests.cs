using WsGateway.Authentication;
using WsGateway.Contracts;
using WsGateway.Options;

namespace WsGateway.Tests.Authentication;

public sealed class ApiKeyAuthenticatorTests
{
    private const string DeployKey = "deploy-bot-key-0123456789";
    private const string ReaderKey = "reader-key-abcdefghijklmn";

    private static ApiKeyAuthenticator Authenticator(params ApiKeyOptions[] keys)
    {
        var problems = new List<string>();
        var authenticator = ApiKeyAuthenticator.Create(keys, problems);
        Assert.Empty(problems);
        return Assert.IsType<ApiKeyAuthenticator>(authenticator);
    }

    private static ApiKeyAuthenticator TwoKeys() => Authenticator(
        new ApiKeyOptions { Name = "deploy-bot", Key = DeployKey, Roles = ["admin", "deploy"] },
        new ApiKeyOptions { Name = "reader", Key = ReaderKey });

    private static AuthenticationResult Authenticate(ApiKeyAuthenticator authenticator, IUpgradeRequest request)
    {
        var pending = authenticator.AuthenticateAsync(request, CancellationToken.None);
        Assert.True(pending.IsCompleted);
        return pending.Result;
    }

    [Fact]
    public void The_right_key_is_accepted_as_its_name_with_its_roles()
    {
        var result = Authenticate(TwoKeys(), Requests.Bearer(DeployKey));

        Assert.Equal(AuthenticationOutcome.Accepted, result.Outcome);
        var identity = result.Identity!;
        Assert.True(identity.IsAuthenticated);
        Assert.Equal("deploy-bot", identity.Name);
        Assert.Equal("apikey", identity.AuthenticatedBy);
        Assert.Equal(["admin", "deploy"], identity.Roles);
        Assert.Null(identity.ExpiresAt);

        var reader = Authenticate(TwoKeys(), Requests.Bearer(ReaderKey)).Identity!;
        Assert.Equal("reader", reader.Name);
        Assert.Empty(reader.Roles);
    }

    [Fact]
    public void The_key_may_come_in_the_access_token_query_parameter()
    {
        var request = Requests.Seen(Requests.Upgrade($"/?access_token={DeployKey}"));
        Assert.Equal("deploy-bot", Authenticate(TwoKeys(), request).Identity?.Name);
    }

    [Theory]
    [InlineData("deploy-bot-key-012345678")]
    [InlineData("deploy-bot-key-01234567890")]
    [InlineData("DEPLOY-BOT-KEY-0123456789")]
    [InlineData("x")]
    public void A_wrong_key_fails_without_repeating_it(string presented)
    {
        var result = Authenticate(TwoKeys(), Requests.Bearer(presented));
        Assert.Equal(AuthenticationOutcome.Failed, result.Outcome);
        Assert.Equal("unknown API key", result.Reason);
        Assert.Null(result.Identity);
    }

    [Fact]
    public void A_request_without_a_bearer_credential_has_no_credentials_for_apikey()
    {
        Assert.Same(AuthenticationResult.NoCredentials, Authenticate(TwoKeys(), Requests.Seen(Requests.Upgrade())));
        Assert.Same(AuthenticationResult.NoCredentials, Authenticate(TwoKeys(), Requests.Seen(Requests.Upgrade("/?access_token="))));
        Assert.Same(AuthenticationResult.NoCredentials, Authenticate(TwoKeys(), Requests.Seen(Requests.Upgrade("/", $"Authorization: Basic {DeployKey}"))));
    }

    [Fact]
    public void A_jwt_shaped_credential_is_left_to_the_jwt_method()
    {
        Assert.Same(AuthenticationResult.NoCredentials, Authenticate(TwoKeys(), Requests.Bearer(Tokens.Create())));
        Assert.Same(AuthenticationResult.NoCredentials, Authenticate(TwoKeys(), Requests.Bearer(Tokens.Unsigned())));
    }

    [Fact]
    public void The_key_can_come_from_an_environment_variable()
    {
        var variable = "WSGATEWAY_TEST_APIKEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "  env-held-key-0123456789  ");
        try
        {
            var authenticator = Authenticator(new ApiKeyOptions { Name = "from-env", KeyEnvironmentVariable = variable, Roles = ["ops"] });
            var identity = Authenticate(authenticator, Requests.Bearer("env-held-key-0123456789")).Identity;
            Assert.Equal("from-env", identity?.Name);
            Assert.Equal(["ops"], identity?.Roles);
            Assert.Equal("unknown API key", Authenticate(authenticator, Requests.Bearer(variable)).Reason);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void A_missing_environment_variable_is_a_problem_naming_the_variable()
    {
        var variable = "WSGATEWAY_TEST_APIKEY_UNSET_" + Guid.NewGuid().ToString("N");
        var problems = new List<string>();
        Assert.Null(ApiKeyAuthenticator.Create([new ApiKeyOptions { Name = "ci", KeyEnvironmentVariable = variable }], problems));
        Assert.Equal([$"Authentication:ApiKeys[0] (\"ci\"): environment variable {variable} is not set"], problems);
    }

    [Fact]
    public void A_short_key_is_a_problem_that_does_not_repeat_it()
    {
        const string Short = "short-key-12345";
        var problems = new List<string>();
        Assert.Null(ApiKeyAuthenticator.Create(
            [new ApiKeyOptions { Name = "ok", Key = DeployKey }, new ApiKeyOptions { Name = "weak", Key = Short }], problems));
        var problem = Assert.Single(problems);
        Assert.Equal("Authentication:ApiKeys[1] (\"weak\") is too short to be a secret (at least 16 characters)", problem);
        Assert.DoesNotContain(Short, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_padded_to_length_with_spaces_is_still_too_short()
    {
        var problems = new List<string>();
        Assert.Null(ApiKeyAuthenticator.Create([new ApiKeyOptions { Name = "padded", Key = "short          " + "  " }], problems));
        Assert.Single(problems);
    }

    [Fact]
    public void A_short_key_from_the_environment_is_a_problem_that_does_not_repeat_it()
    {
        var variable = "WSGATEWAY_TEST_APIKEY_SHORT_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "tiny-secret");
        try
        {
            var problems = new List<string>();
            Assert.Null(ApiKeyAuthenticator.Create([new ApiKeyOptions { Name = "env", KeyEnvironmentVariable = variable }], problems));
            var problem = Assert.Single(problems);
            Assert.Equal("Authentication:ApiKeys[0] (\"env\") is too short to be a secret (at least 16 characters)", problem);
            Assert.DoesNotContain("tiny-secret", problem, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Other_entry_problems_are_reported_by_index()
    {
        var problems = new List<string>();
        Assert.Null(ApiKeyAuthenticator.Create(
            [
                new ApiKeyOptions { Name = " ", Key = DeployKey },
                new ApiKeyOptions { Name = "both", Key = DeployKey, KeyEnvironmentVariable = "SOME_VARIABLE" },
            ],
            problems));
        Assert.Equal(
            [
                "Authentication:ApiKeys[0]:Name is empty (it names the caller in logs and whoami)",
                "Authentication:ApiKeys[1] (\"both\") has both Key and KeyEnvironmentVariable; keep one",
            ],
            problems);
        Assert.All(problems, p => Assert.DoesNotContain(DeployKey, p, StringComparison.Ordinal));
    }

    [Fact]
    public void No_keys_at_all_is_a_problem()
    {
        var problems = new List<string>();
        Assert.Null(ApiKeyAuthenticator.Create([], problems));
        Assert.Equal(["Authentication:Methods has \"apikey\" but Authentication:ApiKeys is empty"], problems);
    }
}
