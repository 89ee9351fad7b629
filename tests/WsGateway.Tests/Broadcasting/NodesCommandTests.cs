using WsGateway.Broadcasting;
using WsGateway.Commands;

namespace WsGateway.Tests.Broadcasting;

public sealed class NodesCommandTests
{
    [Fact]
    public void Nodes_are_listed_with_their_sessions_and_a_down_bus_is_said_first()
    {
        var now = DateTimeOffset.UtcNow;
        var nodes = new[] { new ClusterNode("gw-1", 1, now, IsLocal: true), new ClusterNode("gw-2", 12, now, IsLocal: false) };

        Assert.Equal("gw-1: 1 session (this node)\ngw-2: 12 sessions", NodesCommand.Render(nodes, degraded: null));
        var down = RedisMessageBus.DownSince(new DateTimeOffset(2026, 12, 7, 16, 40, 12, TimeSpan.FromHours(1)));
        Assert.Equal("cluster bus down since 15:40:12Z, reconnecting", down);
        Assert.StartsWith("cluster bus down since 15:40:12Z, reconnecting\ngw-1:", NodesCommand.Render(nodes, down));
    }
}
