using System.Net;
using System.Net.WebSockets;
using static WsGateway.IntegrationTests.Authentication.Handshakes;

namespace WsGateway.IntegrationTests.Authentication;

/// <summary>Authentication:Methods = ["plugin:NAME"]: a plugin's <c>IAuthenticator</c> decides, in a real plugin DLL.</summary>
public sealed class PluginAuthenticatorTests(PluginGatewayFixture fixture) : IClassFixture<PluginGatewayFixture>
{
    private TestGateway Gateway => fixture.Gateway;

    private static Action<ClientWebSocketOptions> As(string user, string? roles = null) => options =>
    {
        options.SetRequestHeader("X-Test-User", user);
        if (roles is not null)
        {
            options.SetRequestHeader("X-Test-Roles", roles);
        }
    };

    [Fact]
    public async Task Until_the_plugin_is_loaded_upgrades_get_503_and_once_it_is_dropped_in_it_accepts()
    {
        // Its own gateway: the plugin arrives while it runs. The method's name is matched case-insensitively.
        await using var gateway = await TestGateway.StartAsync(o => o.Authentication.Methods = ["plugin:TestHeader"]);

        var answer = await RefusedUpgradeAsync(gateway, "X-Test-User: carol\r\n");
        Assert.StartsWith("HTTP/1.1 503", answer.Head);
        Assert.NotNull(answer.Header("Retry-After"));
        Assert.Equal("Cannot authenticate: authentication method plugin:TestHeader is not loaded.\n", answer.Body);
        var (status, _) = await RefusedConnectAsync(gateway, As("carol"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(2, Sample(await MetricsAsync(gateway), "wsgateway_handshake_failures_total{reason=\"auth_unavailable\"}"));

        TestAuthPlugin.Install(Path.Combine(gateway.Root, "plugins"));
        var line = await Eventually.ValueAsync(
            () => StatusLineAsync(gateway, "X-Test-User: carol\r\n")!, l => l!.StartsWith("HTTP/1.1 101", StringComparison.Ordinal), Eventually.Patience);
        Assert.StartsWith("HTTP/1.1 101", line);

        using var client = await gateway.ConnectAsync(configure: As("carol", "ops"));
        Assert.Equal("carol (authenticated by testheader); roles: ops", await client.AskAsync("whoami"));
    }

    [Fact]
    public async Task A_forbidden_caller_gets_403_without_a_challenge()
    {
        const string Series = "wsgateway_handshake_failures_total{reason=\"forbidden\"}";
        var before = Sample(await MetricsAsync(Gateway), Series);

        var (status, _) = await RefusedConnectAsync(Gateway, As("mallory"));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        var answer = await RefusedUpgradeAsync(Gateway, "X-Test-User: mallory\r\n");
        Assert.StartsWith("HTTP/1.1 403", answer.Head);
        Assert.Null(answer.Header("WWW-Authenticate"));
        Assert.Equal("Forbidden: mallory is banned.\n", answer.Body);

        Assert.Equal(before + 2, Sample(await MetricsAsync(Gateway), Series));
        Assert.Contains(Gateway.Logs.Messages(), m => m.Contains("refused with 403", StringComparison.Ordinal) && m.Contains("mallory is banned", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_authenticator_that_throws_gets_503_and_an_error_in_the_log_and_the_next_caller_is_served()
    {
        var answer = await RefusedUpgradeAsync(Gateway, "X-Test-User: crash\r\n");
        Assert.StartsWith("HTTP/1.1 503", answer.Head);
        Assert.Equal($"Cannot authenticate: authentication method plugin:{TestAuthPlugin.AuthenticatorName} failed.\n", answer.Body);
        Assert.Contains(Gateway.Logs.Events, e =>
            e.Level == Serilog.Events.LogEventLevel.Error && e.Exception?.Message == "the test authenticator fails on purpose");

        using var client = await Gateway.ConnectAsync(configure: As("carol"));
        Assert.Equal("carol (authenticated by testheader); no roles", await client.AskAsync("whoami"));
    }

    [Fact]
    public async Task The_authenticator_sees_cookies_and_a_request_it_has_nothing_to_say_about_gets_401()
    {
        var cookies = new CookieContainer();
        cookies.Add(gatewayCookie("test_user", "dora"));
        cookies.Add(gatewayCookie("test_roles", "admin"));
        using (var client = await Gateway.ConnectAsync(configure: o => o.Cookies = cookies))
        {
            Assert.Equal("dora (authenticated by testheader); roles: admin", await client.AskAsync("whoami"));
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }

        var answer = await RefusedUpgradeAsync(Gateway);
        Assert.StartsWith("HTTP/1.1 401", answer.Head);
        Assert.Equal("Bearer", answer.Header("WWW-Authenticate"));

        Cookie gatewayCookie(string name, string value) => new(name, value, "/", "127.0.0.1");
    }
}
