using System.Net;
using System.Net.WebSockets;
using static WsGateway.IntegrationTests.Authentication.Handshakes;

namespace WsGateway.IntegrationTests.Authentication;

/// <summary>Bearer tokens at the handshake: refused before any WebSocket byte, accepted with the caller's identity.</summary>
public sealed class JwtHandshakeTests(JwtGatewayFixture fixture) : IClassFixture<JwtGatewayFixture>
{
    private TestGateway Gateway => fixture.Gateway;

    [Fact]
    public async Task A_client_without_a_token_is_refused_with_401_and_a_bearer_challenge_before_any_websocket_byte()
    {
        var (status, headers) = await RefusedConnectAsync(Gateway);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Bearer", Assert.Single(headers!["WWW-Authenticate"]));

        var answer = await RefusedUpgradeAsync(Gateway);
        Assert.StartsWith("HTTP/1.1 401", answer.Head);
        Assert.Equal("Bearer", answer.Header("WWW-Authenticate"));
        Assert.Null(answer.Header("Sec-WebSocket-Accept"));
        // The body is all that follows the head: no frame, and the server closed the connection after it.
        Assert.Equal("Unauthorized: credentials required.\n", answer.Body);
    }

    public static TheoryData<string, string> BadTokens() => new()
    {
        { "expired", "token expired" },
        { "wrong audience", "token is for another audience" },
        { "wrong issuer", "token is from another issuer" },
        { "wrong key", "token signed with an unknown key" },
    };

    private static string BadToken(string kind) => kind switch
    {
        "expired" => TestTokens.Create("alice", expires: DateTime.UtcNow.AddMinutes(-5)),
        "wrong audience" => TestTokens.Create("alice", audience: "someone-else"),
        "wrong issuer" => TestTokens.Create("alice", issuer: "https://other-issuer.example"),
        "wrong key" => TestTokens.Create("alice", key: TestTokens.OtherKey),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_refused_with_401_and_the_reason_in_the_body(string kind, string reason)
    {
        var token = BadToken(kind);

        var (status, headers) = await RefusedConnectAsync(Gateway, Bearer(token));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.StartsWith("Bearer", Assert.Single(headers!["WWW-Authenticate"]));

        var answer = await RefusedUpgradeAsync(Gateway, $"Authorization: Bearer {token}\r\n");
        Assert.StartsWith("HTTP/1.1 401", answer.Head);
        Assert.Equal("Bearer error=\"invalid_token\"", answer.Header("WWW-Authenticate"));
        Assert.Equal($"Unauthorized: {reason}.\n", answer.Body);

        // The same token in the query is refused the same way.
        var query = await RefusedUpgradeAsync(Gateway, target: "/?access_token=" + Uri.EscapeDataString(token));
        Assert.Equal($"Unauthorized: {reason}.\n", query.Body);

        Assert.Contains(Gateway.Logs.Messages(), m => m.Contains("refused with 401", StringComparison.Ordinal) && m.Contains(reason, StringComparison.Ordinal));
        Assert.DoesNotContain(RenderEverything(Gateway.Logs), e => e.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_valid_token_in_the_authorization_header_connects_as_its_subject_and_names_the_sessions_log_lines()
    {
        var token = TestTokens.Create("alice", ["admin", "ops"]);

        using (var client = await Gateway.ConnectAsync(configure: Bearer(token)))
        {
            var whoami = await client.AskAsync("whoami");
            Assert.StartsWith("alice (authenticated by jwt); roles: admin, ops; expires ", whoami);
            Assert.Contains("\"name\":\"alice\"", await client.AskAsync("whoami --json"));
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }

        var session = await SessionOfAsync(Gateway.Logs, "alice");
        // The session's own logger writes its close; wait for it so the session has lines besides the handshake.
        Assert.True(await Eventually.TrueAsync(
            () => Gateway.Logs.Events.Any(e => Equals(Property(e, "SessionId"), session) && e.MessageTemplate.Text.Contains("closed by peer", StringComparison.Ordinal)),
            Eventually.Patience));
        var lines = Gateway.Logs.Events.Where(e => Equals(Property(e, "SessionId"), session)).ToList();
        Assert.True(lines.Count >= 2, $"only {lines.Count} lines for session {session}");
        Assert.All(lines, e => Assert.Equal("alice", Property(e, "User")));

        Assert.DoesNotContain(RenderEverything(Gateway.Logs), e => e.Contains(token, StringComparison.Ordinal));
        // Not even the signature alone.
        Assert.DoesNotContain(RenderEverything(Gateway.Logs), e => e.Contains(token.Split('.')[2], StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_valid_token_in_the_access_token_query_parameter_connects_and_stays_out_of_the_log()
    {
        var token = TestTokens.Create("bob", ["viewer"]);

        using (var client = await Gateway.ConnectAsync("/?access_token=" + Uri.EscapeDataString(token)))
        {
            Assert.StartsWith("bob (authenticated by jwt); roles: viewer", await client.AskAsync("whoami"));
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }

        var session = await SessionOfAsync(Gateway.Logs, "bob");
        Assert.True(await Eventually.TrueAsync(
            () => Gateway.Logs.Events.Any(e => Equals(Property(e, "SessionId"), session) && e.MessageTemplate.Text.Contains("closed by peer", StringComparison.Ordinal)),
            Eventually.Patience));
        Assert.DoesNotContain(RenderEverything(Gateway.Logs), e => e.Contains(token, StringComparison.Ordinal));
        Assert.DoesNotContain(RenderEverything(Gateway.Logs), e => e.Contains(token.Split('.')[2], StringComparison.Ordinal));
        Assert.DoesNotContain(RenderEverything(Gateway.Logs), e => e.Contains("access_token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_count_the_refusals_as_unauthorized()
    {
        const string Series = "wsgateway_handshake_failures_total{reason=\"unauthorized\"}";
        var before = Sample(await MetricsAsync(Gateway), Series);

        await RefusedUpgradeAsync(Gateway);
        await RefusedUpgradeAsync(Gateway, $"Authorization: Bearer {TestTokens.Create("alice", key: TestTokens.OtherKey)}\r\n");
        using (await Gateway.ConnectAsync(configure: Bearer(TestTokens.Create("carol"))))
        {
        }

        Assert.Equal(before + 2, Sample(await MetricsAsync(Gateway), Series));
    }

    [Fact]
    public async Task A_dns_rebinding_request_is_refused_by_its_host_before_authentication_is_asked_for()
    {
        // Operations/HostTests covers the rebinding refusal on a default gateway; here authentication is on and the
        // Host check still comes first: 400, no challenge that would tell the page a token is wanted.
        var host = $"evil.example:{Gateway.Port}";
        await using var client = await RawWebSocketClient.ConnectRawAsync(Gateway.Port);
        var head = await client.SendRequestAsync(
            $"GET / HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://{host}\r\n" +
            $"Authorization: Bearer {TestTokens.Create("alice")}\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 400", head);
        Assert.DoesNotContain("WWW-Authenticate", head, StringComparison.OrdinalIgnoreCase);
    }
}
