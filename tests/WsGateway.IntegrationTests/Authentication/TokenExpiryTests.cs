using System.Net.WebSockets;
using static WsGateway.IntegrationTests.Authentication.Handshakes;
using WsGateway.Options;

namespace WsGateway.IntegrationTests.Authentication;

/// <summary>A token that expires while its session is open: Authentication:OnExpiry Close or RefuseCommands.</summary>
public sealed class TokenExpiryTests
{
    /// <summary>Long enough to connect on a busy machine, short enough to wait for.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(3);

    private static Task<TestGateway> StartAsync(ExpiryAction onExpiry) => TestGateway.StartAsync(o =>
    {
        TestTokens.Configure(o, "jwt");
        o.Authentication.Jwt.ClockSkewSeconds = 0;
        o.Authentication.OnExpiry = onExpiry;
    });

    [Fact]
    public async Task With_close_the_session_is_closed_with_1008_token_expired()
    {
        await using var gateway = await StartAsync(ExpiryAction.Close);
        using var client = await gateway.ConnectAsync(configure: Bearer(TestTokens.Create("frank", expires: DateTime.UtcNow + Lifetime)));

        var (status, description) = await client.ReceiveCloseAsync(Eventually.Patience);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        Assert.Equal("token expired", description);
        Assert.Contains(gateway.Logs.Events, e =>
            e.MessageTemplate.Text.Contains("the credential of {User} expired", StringComparison.Ordinal) && Equals(Property(e, "User"), "frank"));
    }

    [Fact]
    public async Task With_refuse_commands_the_session_stays_and_commands_after_expiry_get_an_error()
    {
        await using var gateway = await StartAsync(ExpiryAction.RefuseCommands);
        using var client = await gateway.ConnectAsync(configure: Bearer(TestTokens.Create("grace", expires: DateTime.UtcNow + Lifetime)));

        var refused = await client.AskUntilAsync("whoami", r => r.StartsWith("error:", StringComparison.Ordinal), Eventually.Patience);
        Assert.Equal("error: command \"whoami\" was not run: your credential expired; reconnect with a new one", refused);

        // Let the liveness check (about once a second) see the expired session: it must leave it open.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(WebSocketState.Open, client.State);
        Assert.StartsWith("error: command \"help\" was not run: your credential expired", await client.AskAsync("help"));
        Assert.True(Sample(await MetricsAsync(gateway), "wsgateway_commands_total{command=\"whoami\",outcome=\"denied\"}") >= 1);
        Assert.DoesNotContain(gateway.Logs.Events, e => e.MessageTemplate.Text.Contains("expired at", StringComparison.Ordinal));
    }
}
