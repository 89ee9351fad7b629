using System.Net;
using System.Net.WebSockets;
using static WsGateway.IntegrationTests.Authentication.Handshakes;

namespace WsGateway.IntegrationTests.Authentication;

/// <summary>Authentication:Methods = ["apikey"]: static keys for programs, each with a name and roles.</summary>
public sealed class ApiKeyHandshakeTests(ApiKeyGatewayFixture fixture) : IClassFixture<ApiKeyGatewayFixture>
{
    private TestGateway Gateway => fixture.Gateway;

    [Fact]
    public async Task The_right_key_connects_as_its_name_with_its_roles()
    {
        using (var client = await Gateway.ConnectAsync(configure: Bearer(ApiKeyGatewayFixture.DeployBotKey)))
        {
            Assert.Equal("deploy-bot (authenticated by apikey); roles: admin", await client.AskAsync("whoami"));
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }

        using (var client = await Gateway.ConnectAsync("/?access_token=" + ApiKeyGatewayFixture.ReaderKey))
        {
            Assert.Equal("reader (authenticated by apikey); no roles", await client.AskAsync("whoami"));
        }

        await SessionOfAsync(Gateway.Logs, "deploy-bot");
        Assert.DoesNotContain(RenderEverything(Gateway.Logs), e =>
            e.Contains(ApiKeyGatewayFixture.DeployBotKey, StringComparison.Ordinal) || e.Contains(ApiKeyGatewayFixture.ReaderKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_key_is_refused_with_401()
    {
        const string Wrong = "deploy-bot-key-0123456789abcdeX";
        var (status, _) = await RefusedConnectAsync(Gateway, Bearer(Wrong));
        Assert.Equal(HttpStatusCode.Unauthorized, status);

        var answer = await RefusedUpgradeAsync(Gateway, $"Authorization: Bearer {Wrong}\r\n");
        Assert.StartsWith("HTTP/1.1 401", answer.Head);
        Assert.Equal("Bearer error=\"invalid_token\"", answer.Header("WWW-Authenticate"));
        Assert.Equal("Unauthorized: unknown API key.\n", answer.Body);

        // No key at all: the plain challenge.
        Assert.Equal("Bearer", (await RefusedUpgradeAsync(Gateway)).Header("WWW-Authenticate"));
        Assert.DoesNotContain(RenderEverything(Gateway.Logs), e => e.Contains(Wrong, StringComparison.Ordinal));
    }
}
