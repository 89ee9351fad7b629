using WsGateway.Listening;

namespace WsGateway.Tests.Listening;

public sealed class PendingHandshakesTests
{
    private static readonly long Interval = (long)PendingHandshakes.LogInterval.TotalMilliseconds;

    [Fact]
    public void Sockets_are_let_in_up_to_the_limit_and_again_once_one_is_done()
    {
        var pending = new PendingHandshakes();
        Assert.True(pending.TryEnter(2));
        Assert.True(pending.TryEnter(2));
        Assert.False(pending.TryEnter(2));
        Assert.Equal(2, pending.Count);

        pending.Exit();
        Assert.True(pending.TryEnter(2));
        Assert.False(pending.TryEnter(2));
    }

    [Fact]
    public void Zero_is_no_limit_and_a_lower_limit_applies_to_the_next_socket()
    {
        var pending = new PendingHandshakes();
        for (int i = 0; i < 5; i++)
        {
            Assert.True(pending.TryEnter(0));
        }

        Assert.False(pending.TryEnter(3));
        Assert.Equal(5, pending.Count);
    }

    [Fact]
    public void The_first_refusal_is_logged_then_at_most_one_line_per_interval_with_the_refusals_since()
    {
        var pending = new PendingHandshakes();
        const long Start = 1_000_000;
        Assert.Equal(1, pending.Refuse(Start));
        Assert.Equal(0, pending.Refuse(Start + 1));
        Assert.Equal(0, pending.Refuse(Start + Interval - 1));

        Assert.Equal(3, pending.Refuse(Start + Interval));
        Assert.Equal(0, pending.Refuse(Start + Interval + 1));
    }
}
