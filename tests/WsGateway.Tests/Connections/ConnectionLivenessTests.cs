using WsGateway.Connections;
using WsGateway.Options;

namespace WsGateway.Tests.Connections;

/// <summary>The liveness decisions, on crafted clock values: no test waits for real time.</summary>
public sealed class ConnectionLivenessTests
{
    private static readonly LimitsOptions Limits = new()
    {
        IdleTimeoutSeconds = 60, KeepAliveSeconds = 10, KeepAliveTimeoutSeconds = 5, CloseTimeoutSeconds = 3,
    };

    [Fact]
    public void A_quiet_peer_is_pinged_then_dropped_when_the_ping_goes_unanswered()
    {
        var liveness = new ConnectionLiveness(0);
        Assert.Equal(LivenessAction.None, liveness.Check(10_000, false, false, Limits));
        Assert.Equal(LivenessAction.Ping, liveness.Check(10_001, false, false, Limits));
        Assert.Equal(LivenessAction.None, liveness.Check(15_001, false, false, Limits));
        Assert.Equal(LivenessAction.Drop, liveness.Check(15_002, false, false, Limits));
    }

    [Fact]
    public void Any_bytes_answer_a_ping()
    {
        var liveness = new ConnectionLiveness(0);
        Assert.Equal(LivenessAction.Ping, liveness.Check(10_001, false, false, Limits));
        liveness.OnBytesReceived(12_000);
        Assert.Equal(LivenessAction.None, liveness.Check(20_000, false, false, Limits));
        Assert.Equal(LivenessAction.Ping, liveness.Check(22_001, false, false, Limits));
    }

    [Fact]
    public void No_message_for_the_idle_timeout_closes_even_when_pongs_arrive()
    {
        var liveness = new ConnectionLiveness(0);
        liveness.OnBytesReceived(59_000);
        Assert.Equal(LivenessAction.CloseIdle, liveness.Check(60_001, false, false, Limits));

        liveness.OnMessage(60_001);
        Assert.NotEqual(LivenessAction.CloseIdle, liveness.Check(60_002, false, false, Limits));
    }

    [Fact]
    public void An_expired_credential_closes_before_anything_else()
    {
        var liveness = new ConnectionLiveness(0);
        Assert.Equal(LivenessAction.CloseExpired, liveness.Check(1, false, credentialExpired: true, Limits));
    }

    [Fact]
    public void After_our_close_frame_only_the_close_timeout_counts()
    {
        var liveness = new ConnectionLiveness(0);
        liveness.OnCloseSent(100_000, Limits);
        Assert.Equal(LivenessAction.None, liveness.Check(103_000, closeSent: true, credentialExpired: true, Limits));
        Assert.Equal(LivenessAction.DropUnansweredClose, liveness.Check(103_001, closeSent: true, credentialExpired: true, Limits));
    }

    [Fact]
    public void A_close_frame_queued_without_OnCloseSent_gets_its_deadline_from_the_first_check()
    {
        // A protocol error's close, or the memory budget's: the peer has the close timeout from when it was first seen.
        var liveness = new ConnectionLiveness(0);
        Assert.Equal(LivenessAction.None, liveness.Check(1_000_000, closeSent: true, credentialExpired: false, Limits));
        Assert.Equal(LivenessAction.None, liveness.Check(1_003_000, closeSent: true, credentialExpired: false, Limits));
        Assert.Equal(LivenessAction.DropUnansweredClose, liveness.Check(1_003_001, closeSent: true, credentialExpired: false, Limits));
    }

    [Fact]
    public void Keepalive_off_never_pings()
    {
        var liveness = new ConnectionLiveness(0);
        var limits = Limits with { KeepAliveSeconds = 0, IdleTimeoutSeconds = 0 };
        Assert.Equal(LivenessAction.None, liveness.Check(10_000_000, false, false, limits));
    }
}
