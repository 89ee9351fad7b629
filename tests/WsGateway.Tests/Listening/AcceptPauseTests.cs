using WsGateway.Listening;

namespace WsGateway.Tests.Listening;

/// <summary>
/// An accept that fails for a reason of ours (no file descriptors, no memory) fails again at once: the loop waits
/// before the next one, longer while it keeps failing, but never so long that the backlog is left for seconds.
/// </summary>
public sealed class AcceptPauseTests
{
    [Theory]
    [InlineData(1, 50)]
    [InlineData(2, 100)]
    [InlineData(3, 200)]
    [InlineData(5, 800)]
    [InlineData(6, 1000)]
    [InlineData(1_000, 1000)]
    [InlineData(int.MaxValue, 1000)]
    public void The_pause_doubles_from_50_ms_and_stays_at_one_second(int failures, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GatewayServer.AcceptPause(failures));
}
