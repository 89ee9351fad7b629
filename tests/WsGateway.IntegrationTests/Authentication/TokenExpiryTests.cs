using System.Net.WebSockets;
using static WsGateway.IntegrationTests.Authentication.Handshakes;
using WsGateway.Options;

namespace WsGateway.IntegrationTests.Authentication;

/// <summary>A token that expires while its session is open: Authentication:OnExpiry Close or RefuseCommands.</summary>
public sealed class TokenExpiryTests
{
    /// <summary>
    /// The lifetime of the first token tried: short enough to wait for. A connect that takes longer (a busy machine)
    /// is made again with a token that lives twice as long; see <see cref="ConnectExpiringAsync"/>.
    /// </summary>
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
        var (client, lifetime) = await ConnectExpiringAsync(gateway, "frank", async token =>
        {
            try
            {
                return await gateway.ConnectAsync(configure: Bearer(token));
            }
            catch (WebSocketException)
            {
                return null;
            }
        });
        using var _ = client;

        var (status, description) = await client.ReceiveCloseAsync(lifetime + Eventually.Patience);

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
        var (client, lifetime) = await ConnectExpiringAsync(gateway, "grace", async token =>
        {
            var raw = await RawWebSocketClient.ConnectRawAsync(gateway.Port);
            var upgrade = await raw.SendRequestAsync(RawWebSocketClient.UpgradeRequest(gateway.Port, "/", $"Authorization: Bearer {token}\r\n"));
            if (upgrade.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
            {
                return raw;
            }

            await raw.DisposeAsync();
            return null;
        });
        await using var _ = client;

        var refused = await Eventually.ValueAsync(
            () => AskAsync(client, "whoami")!, r => r!.StartsWith("error:", StringComparison.Ordinal), lifetime + Eventually.Patience);
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

    /// <summary>
    /// Connects with <paramref name="connect"/> (null when refused) and a token for <paramref name="user"/> that expires
    /// <see cref="Lifetime"/> after it was made. The gateway checks the expiry at the handshake, so the connect has to
    /// beat it, and how long a connect takes is the machine's business: when the gateway refused the token as expired,
    /// the connect is made again with one that lives twice as long. Any other refusal fails the test.
    /// </summary>
    /// <returns>The connected client and the lifetime of its token.</returns>
    private static async Task<(T Client, TimeSpan Lifetime)> ConnectExpiringAsync<T>(TestGateway gateway, string user, Func<string, Task<T?>> connect)
        where T : class
    {
        for (var lifetime = Lifetime; ; lifetime *= 2)
        {
            int expiredBefore = RefusedAsExpired(gateway);
            if (await connect(TestTokens.Create(user, expires: DateTime.UtcNow + lifetime)) is { } client)
            {
                return (client, lifetime);
            }

            // The refusal is logged before it is sent.
            Assert.True(RefusedAsExpired(gateway) > expiredBefore, "the handshake was refused, and not because the token had expired");
            Assert.True(lifetime < Eventually.Patience, $"even a token valid for {lifetime.TotalSeconds} s expired before its handshake");
        }
    }

    private static int RefusedAsExpired(TestGateway gateway) => gateway.Logs.Events.Count(e =>
        e.MessageTemplate.Text.StartsWith("Upgrade from {RemoteAddress}", StringComparison.Ordinal)
        && Property(e, "Reason") is string reason && reason.Contains("token expired", StringComparison.Ordinal));

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
