using WsGateway.Contracts;
using WsGateway.Protocol;
using WsGateway.Tests.InMemory;

namespace WsGateway.Tests.Connections;

/// <summary>
/// <see cref="WsGateway.Connections.WebSocketConnection.CheckLiveness"/> acting on a real connection. The checks are
/// given crafted times (ticks ahead of now) instead of waiting for real time to pass.
/// </summary>
public sealed class WebSocketConnectionLivenessTests
{
    [Fact]
    public async Task A_quiet_connection_is_pinged_then_dropped_when_the_ping_goes_unanswered()
    {
        await using var harness = InMemoryConnection.Start(new StubRoute(), o =>
        {
            o.Limits.KeepAliveSeconds = 30;
            o.Limits.KeepAliveTimeoutSeconds = 10;
        });
        long now = Environment.TickCount64;

        harness.Connection.CheckLiveness(now + 31_000);
        var ping = await harness.Client.ReadFrameExpectedAsync();
        harness.Connection.CheckLiveness(now + 31_000 + 9_000);
        bool abortedWithinTimeout = harness.Client.Server.IsAborted;
        harness.Connection.CheckLiveness(now + 31_000 + 11_000);

        Assert.Equal(Opcode.Ping, ping.Opcode);
        Assert.False(abortedWithinTimeout);
        Assert.True(harness.Client.Server.IsAborted);
        await harness.EndedAsync();
        Assert.True((await harness.Client.ReadToEndAsync()).Aborted);
    }

    [Fact]
    public async Task A_connection_heard_from_within_the_keepalive_period_is_not_pinged()
    {
        // Read before the connection starts its clock, so that this is at most 29 s after it whatever the machine's load.
        long before = Environment.TickCount64;
        await using var harness = InMemoryConnection.Start(new StubRoute(), o => o.Limits.KeepAliveSeconds = 30);

        harness.Connection.CheckLiveness(before + 29_000);
        await harness.Connection.Sender.SendTextAsync("marker");

        Assert.Equal("Text \"marker\"", (await harness.Client.ReadFrameExpectedAsync()).ToString());
    }

    [Fact]
    public async Task An_idle_connection_is_closed_with_1001()
    {
        await using var harness = InMemoryConnection.Start(new StubRoute(), o =>
        {
            o.Limits.IdleTimeoutSeconds = 60;
            o.Limits.KeepAliveSeconds = 0;
        });

        harness.Connection.CheckLiveness(Environment.TickCount64 + 61_000);
        var close = await harness.Client.ReadFrameExpectedAsync();
        var (after, aborted) = await harness.AnswerCloseAsync(CloseStatus.GoingAway);

        Assert.Equal("Close 1001 \"idle timeout\"", close.ToString());
        Assert.Empty(after);
        Assert.False(aborted);
    }

    [Fact]
    public async Task A_close_frame_left_unanswered_drops_the_connection_after_the_close_timeout()
    {
        await using var harness = InMemoryConnection.Start(new StubRoute(), o => o.Limits.CloseTimeoutSeconds = 5);

        // The close's deadline is 5 s after it went out, which is after this and well before a minute after it.
        long before = Environment.TickCount64;
        await harness.Connection.CloseAsync(CloseStatus.NormalClosure, "bye");
        var close = await harness.Client.ReadFrameExpectedAsync();
        harness.Connection.CheckLiveness(before + 4_000);
        bool abortedWithinTimeout = harness.Client.Server.IsAborted;
        harness.Connection.CheckLiveness(before + 60_000);

        Assert.Equal("Close 1000 \"bye\"", close.ToString());
        Assert.False(abortedWithinTimeout);
        Assert.True(harness.Client.Server.IsAborted);
        await harness.EndedAsync();
    }

    [Fact]
    public async Task An_expired_credential_closes_the_connection_with_1008()
    {
        var expired = new CallerIdentity("alice", "jwt", expiresAt: DateTimeOffset.UtcNow.AddMinutes(-1));
        await using var harness = InMemoryConnection.Start(new StubRoute(), identity: expired);

        harness.Connection.CheckLiveness(Environment.TickCount64);
        var close = await harness.Client.ReadFrameExpectedAsync();
        var (_, aborted) = await harness.AnswerCloseAsync(CloseStatus.PolicyViolation);

        Assert.Equal("Close 1008 \"token expired\"", close.ToString());
        Assert.False(aborted);
    }
}
