using System.Text;

namespace WsGateway.IntegrationTests.Connections;

/// <summary>
/// Frames that pile up for one connection leave together: the replies to all the messages of one read go out in one
/// send, not one send per frame (each send is a system call, which is what costs at many messages in flight).
/// </summary>
public sealed class CoalescedSendTests : IAsyncLifetime
{
    private const int Text = 1;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(o => o.Scripts.Directory = BuildPaths.SampleScripts);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Echoes_of_sixteen_frames_written_at_once_leave_in_one_send()
    {
        await using var client = await RawWebSocketClient.ConnectAsync(_gateway.Port);
        var messages = Enumerable.Range(0, 16).Select(i => $"message {i:00}").ToArray();
        byte[] burst = [.. messages.SelectMany(m => RawWebSocketClient.Frame(Text, Encoding.UTF8.GetBytes(m)))];

        // The 101 went out with its own send, the first of this gateway (each test starts its own): once that send is
        // counted, count from there.
        Assert.True(await Eventually.TrueAsync(() => _gateway.Gateway.Metrics.SocketSends >= 1, Eventually.Patience), "the 101 was never counted");
        double before = _gateway.Gateway.Metrics.SocketSends;
        await client.Stream.WriteAsync(burst);

        foreach (var message in messages)
        {
            var frame = await client.ReadFrameAsync();
            Assert.NotNull(frame);
            Assert.Equal(message, Encoding.UTF8.GetString(frame.Payload));
        }

        // One write of 16 small frames arrives on loopback as one segment and so in one read; if a read ever split
        // it, two sends would be the honest answer, never sixteen.
        Assert.InRange(_gateway.Gateway.Metrics.SocketSends - before, 1, 2);
    }

    [Fact]
    public async Task Broadcast_sample_script_reaches_every_session_once_with_the_same_text()
    {
        using var first = await _gateway.ConnectAsync();
        using var second = await _gateway.ConnectAsync();
        using var third = await _gateway.ConnectAsync("/websocket/server.php");

        await first.SendTextAsync("broadcast hello, everyone ✓");

        foreach (var client in new[] { first, second, third })
        {
            Assert.Equal("hello, everyone ✓", await client.ReceiveTextAsync());
        }

        await second.SendTextAsync("broadcast");
        Assert.Equal("usage: broadcast <text>", await second.ReceiveTextAsync());
    }
}
