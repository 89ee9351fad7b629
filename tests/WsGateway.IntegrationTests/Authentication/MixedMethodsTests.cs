using System.Net;
using static WsGateway.IntegrationTests.Authentication.Handshakes;

namespace WsGateway.IntegrationTests.Authentication;

/// <summary>Authentication:Methods = ["jwt", "none"]: anonymous callers get in, a caller with a bad token does not.</summary>
public sealed class MixedMethodsTests(MixedGatewayFixture fixture) : IClassFixture<MixedGatewayFixture>
{
    private readonly TestGateway _gateway = fixture.Gateway;

    [Fact]
    public async Task A_client_without_credentials_connects_as_anonymous()
    {
        using var client = await _gateway.ConnectAsync();
        Assert.Equal("anonymous (connected without credentials)", await client.AskAsync("whoami"));
    }

    [Fact]
    public async Task A_valid_token_still_names_the_caller()
    {
        using var client = await _gateway.ConnectAsync(configure: Bearer(TestTokens.Create("alice", ["admin"])));
        Assert.StartsWith("alice (authenticated by jwt); roles: admin", await client.AskAsync("whoami"));
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("wrong key")]
    public async Task A_bad_token_is_refused_with_401_rather_than_let_in_as_anonymous(string kind)
    {
        var token = kind == "expired"
            ? TestTokens.Create("alice", expires: DateTime.UtcNow.AddMinutes(-5))
            : TestTokens.Create("alice", key: TestTokens.OtherKey);

        var (status, _) = await RefusedConnectAsync(_gateway, Bearer(token));
        Assert.Equal(HttpStatusCode.Unauthorized, status);

        var answer = await RefusedUpgradeAsync(_gateway, target: "/?access_token=" + Uri.EscapeDataString(token));
        Assert.StartsWith("HTTP/1.1 401", answer.Head);
        Assert.Equal("Bearer error=\"invalid_token\"", answer.Header("WWW-Authenticate"));
    }
}
