using System.Net;
using WsGateway.Handshake;
using WsGateway.Options;

namespace WsGateway.Tests.Handshake;

public sealed class ConnectionLimiterTests
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.7");
    private readonly ConnectionLimiter _limiter = new();
    private readonly LimitsOptions _oneConnection = new() { MaxConnections = 1 };

    [Fact]
    public void A_slot_is_given_back_once_however_often_it_is_disposed()
    {
        var first = _limiter.NewSlot();
        Assert.Null(first.TryTake(Client, _oneConnection));
        first.Dispose();
        first.Dispose();

        using var second = _limiter.NewSlot();
        Assert.Null(second.TryTake(Client, _oneConnection));
        using var third = _limiter.NewSlot();
        Assert.NotNull(third.TryTake(Client, _oneConnection));
    }

    [Fact]
    public void A_refused_slot_gives_nothing_back()
    {
        using var held = _limiter.NewSlot();
        Assert.Null(held.TryTake(Client, _oneConnection));
        var refused = _limiter.NewSlot();
        Assert.NotNull(refused.TryTake(Client, _oneConnection));
        refused.Dispose();

        using var next = _limiter.NewSlot();
        Assert.NotNull(next.TryTake(Client, _oneConnection));
    }

    [Fact]
    public void The_per_address_count_is_given_back_with_the_slot()
    {
        var perIp = new LimitsOptions { MaxConnectionsPerIp = 1 };
        using (var slot = _limiter.NewSlot())
        {
            Assert.Null(slot.TryTake(Client, perIp));
            using var same = _limiter.NewSlot();
            Assert.NotNull(same.TryTake(Client, perIp));
        }

        using var again = _limiter.NewSlot();
        Assert.Null(again.TryTake(Client, perIp));
    }
}
