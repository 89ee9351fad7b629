using System.Net.WebSockets;
using static WsGateway.IntegrationTests.Authentication.Handshakes;
using WsGateway.Options;

namespace WsGateway.IntegrationTests.Authentication;

/// <summary>A token that expires while its session is open: Authentication:OnExpiry Close or RefuseCommands.</summary>
public sealed class TokenExpiryTests
{
    /// <summary>Long enough to connect on a busy machine, short enough to wait for.</summary>
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(3);

    private const int Text = 1, Close = 8, Ping = 9, Pong = 10;

    private static Task<TestGateway> StartAsync(ExpiryAction onExpiry, Action<GatewayOptions>? configure = null) => TestGateway.StartAsync(o =>
    {
        TestTokens.Configure(o, "jwt");
        o.Authentication.Jwt.ClockSkewSeconds = 0;
        o.Authentication.OnExpiry = onExpiry;
        configure?.Invoke(o);
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
        // A keepalive ping after each quiet second, and no hurry for the pong: the pings are how this test sees the
        // liveness check pass over the expired session (below).
        await using var gateway = await StartAsync(ExpiryAction.RefuseCommands, o =>
        {
            o.Limits.KeepAliveSeconds = 1;
            o.Limits.KeepAliveTimeoutSeconds = Eventually.Patience.TotalSeconds;
        });
        // A raw client, because it shows the pings that a ClientWebSocket answers without telling.
        await using var client = await RawWebSocketClient.ConnectRawAsync(gateway.Port);
        var token = TestTokens.Create("grace", expires: DateTime.UtcNow + Lifetime);
        var upgrade = await client.SendRequestAsync(RawWebSocketClient.UpgradeRequest(gateway.Port, "/", $"Authorization: Bearer {token}\r\n"));
        Assert.StartsWith("HTTP/1.1 101", upgrade);

        var refused = await Eventually.ValueAsync(
            () => AskAsync(client, "whoami")!, r => r!.StartsWith("error:", StringComparison.Ordinal), Eventually.Patience);
        Assert.Equal("error: command \"whoami\" was not run: your credential expired; reconnect with a new one", refused);

        // The liveness check (about once a second) looks at the credential before it pings a quiet connection, and it
        // pings only one it leaves open, once per round at most. The first ping after the refusal was sent after the
        // expiry, but its check may have run just before; the second comes from a later round, which began after the
        // first ping went out: that check saw the expired session, and kept it.
        await NextPingAsync(client);
        await NextPingAsync(client);
        Assert.StartsWith("error: command \"help\" was not run: your credential expired", await AskAsync(client, "help"));
        Assert.True(Sample(await MetricsAsync(gateway), "wsgateway_commands_total{command=\"whoami\",outcome=\"denied\"}") >= 1);
        Assert.DoesNotContain(gateway.Logs.Events, e => e.MessageTemplate.Text.Contains("expired at", StringComparison.Ordinal));
    }

    /// <summary>Sends <paramref name="command"/> and returns the reply, answering the pings before it.</summary>
    private static async Task<string> AskAsync(RawWebSocketClient client, string command)
    {
        await client.SendTextAsync(command);
        while (true)
        {
            var frame = await NextFrameAsync(client);
            if (frame.Opcode == Text)
            {
                return frame.Text;
            }
        }
    }

    /// <summary>Reads up to the next ping; nothing else may come first.</summary>
    private static async Task NextPingAsync(RawWebSocketClient client)
    {
        var frame = await NextFrameAsync(client);
        Assert.True(frame.Opcode == Ping, $"a frame with opcode {frame.Opcode} came instead of a ping: {frame.Text}");
    }

    /// <summary>The next frame, a close frame failing the test; a ping is answered, as every client does.</summary>
    private static async Task<ServerFrame> NextFrameAsync(RawWebSocketClient client)
    {
        var frame = await client.ReadFrameAsync(Eventually.Patience) ?? throw new IOException("The gateway closed TCP.");
        Assert.True(frame.Opcode != Close, $"The gateway closed the session: {frame.Text}");
        if (frame.Opcode == Ping)
        {
            await client.SendFrameAsync(Pong, frame.Payload);
        }

        return frame;
    }
}
