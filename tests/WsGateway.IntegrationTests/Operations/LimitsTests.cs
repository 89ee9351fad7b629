using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using WsGateway.Commands;
using WsGateway.Options;

namespace WsGateway.IntegrationTests.Operations;

public sealed class LimitsTests
{
    /// <summary>A gateway with a command <c>slow</c> that replies "finished" once <paramref name="release"/> completes.</summary>
    /// <param name="started">Completed when "slow" starts running: from then on it is accepted work that drain waits for.</param>
    private static async Task<TestGateway> StartWithSlowCommandAsync(TaskCompletionSource started, Task release)
    {
        var gateway = await TestGateway.StartAsync(o =>
        {
            // The drain waits for "slow", and the client answers the close after it, as long as the machine needs.
            o.Shutdown.DrainSeconds = Eventually.Patience.TotalSeconds;
            o.Limits.CloseTimeoutSeconds = Eventually.Patience.TotalSeconds;
        });
        gateway.Gateway.Registry.SetSource("test", [new CommandDescriptor("slow", "takes a while",
            new CommandOrigin(CommandOriginKind.Plugin, "Test"), async ctx =>
            {
                started.TrySetResult();
                await release;
                await ctx.ReplyAsync("finished");
            })]);
        return gateway;
    }

    /// <summary>True once the gateway has begun to shut down: its listener closes, then its connections drain.</summary>
    private static Task<bool> ShuttingDownAsync(TestGateway gateway) => Eventually.TrueAsync(
        () => gateway.Logs.Events.Any(e => e.MessageTemplate.Text.StartsWith("Shutting down: draining", StringComparison.Ordinal)), Eventually.Patience);

    private static async Task<string> UpgradeFromAsync(TestGateway gateway, IPAddress local, List<TcpClient> keep)
    {
        var tcp = new TcpClient(new IPEndPoint(local, 0));
        keep.Add(tcp);
        await tcp.ConnectAsync(IPAddress.Loopback, gateway.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(RawWebSocketClient.UpgradeRequest(gateway.Port, "/echo")));
        var buffer = new byte[1024];
        int read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Eventually.Patience);
        return System.Text.Encoding.ASCII.GetString(buffer, 0, read);
    }

    [Fact]
    public async Task Connections_over_the_global_limit_get_503_and_a_freed_slot_is_reused()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Limits.MaxConnections = 2);
        using var first = await gateway.ConnectAsync("/echo");
        using var second = await gateway.ConnectAsync("/echo");
        await using (var third = await RawWebSocketClient.ConnectRawAsync(gateway.Port))
        {
            var answer = await third.SendRequestAsync(RawWebSocketClient.UpgradeRequest(gateway.Port));
            Assert.StartsWith("HTTP/1.1 503", answer);
            Assert.Contains("Retry-After:", answer);
        }

        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        Assert.True(await Eventually.TrueAsync(() => gateway.Gateway.ConnectionCount == 1, Eventually.Patience));
        using var again = await gateway.ConnectAsync("/echo");
        Assert.Equal("ok", await again.AskAsync("ok"));
    }

    [Fact]
    public async Task Connections_over_the_per_ip_limit_get_503_while_other_addresses_still_connect()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Limits.MaxConnectionsPerIp = 2);
        var keep = new List<TcpClient>();
        try
        {
            var one = IPAddress.Parse("127.0.0.1");
            var other = IPAddress.Parse("127.0.0.2");
            Assert.StartsWith("HTTP/1.1 101", await UpgradeFromAsync(gateway, one, keep));
            Assert.StartsWith("HTTP/1.1 101", await UpgradeFromAsync(gateway, one, keep));
            Assert.StartsWith("HTTP/1.1 503", await UpgradeFromAsync(gateway, one, keep));
            Assert.StartsWith("HTTP/1.1 101", await UpgradeFromAsync(gateway, other, keep));
        }
        finally
        {
            keep.ForEach(t => t.Dispose());
        }
    }

    [Fact]
    public async Task Commands_over_the_rate_get_an_error_reply_and_the_connection_stays()
    {
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Commands.MessagesPerSecond = 0.01;
            o.Commands.Burst = 3;
        });
        using var client = await gateway.ConnectAsync();
        for (int i = 0; i < 3; i++)
        {
            Assert.Contains("help", await client.AskAsync("help"));
        }

        var limited = await client.AskAsync("help");
        Assert.StartsWith("error: rate limit exceeded", limited);
        Assert.Equal(WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task Commands_over_the_rate_close_with_1008_when_so_configured()
    {
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Commands.MessagesPerSecond = 0.01;
            o.Commands.Burst = 1;
            o.Commands.RateLimitAction = RateLimitAction.Close;
        });
        using var client = await gateway.ConnectAsync();
        Assert.Contains("help", await client.AskAsync("help"));
        await client.SendTextAsync("help");
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, (await client.ReceiveCloseAsync()).Status);
    }

    [Fact]
    public async Task Idle_connection_is_closed_with_1001()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Limits.IdleTimeoutSeconds = 1);
        using var client = await gateway.ConnectAsync("/echo");
        var (status, description) = await client.ReceiveCloseAsync();
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status);
        Assert.Equal("idle timeout", description);
    }

    [Fact]
    public async Task Quiet_peer_is_pinged_and_one_that_never_answers_is_dropped()
    {
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Limits.KeepAliveSeconds = 1;
            o.Limits.KeepAliveTimeoutSeconds = 1;
        });
        await using var silent = await RawWebSocketClient.ConnectAsync(gateway.Port);
        var ping = await silent.ReadFrameAsync();
        Assert.Equal(9, ping!.Opcode);
        // The raw client never answers: within the timeout the gateway drops it.
        Assert.True(await silent.ServerClosedTcpAsync());
        Assert.True(await Eventually.TrueAsync(() => gateway.Gateway.ConnectionCount == 0, Eventually.Patience));
    }

    [Fact]
    public async Task Peer_that_answers_pings_stays_connected()
    {
        // All the time in the world for each pong: with 1 s, a pong a second late on a busy machine got it dropped. The
        // pings themselves prove the pongs count: the gateway pings again only a peer it has heard since its last ping.
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Limits.KeepAliveSeconds = 1;
            o.Limits.KeepAliveTimeoutSeconds = Eventually.Patience.TotalSeconds;
        });
        await using var client = await RawWebSocketClient.ConnectAsync(gateway.Port);
        for (int i = 0; i < 3; i++)
        {
            var ping = await client.ReadFrameAsync(Eventually.Patience);
            Assert.Equal(9, ping!.Opcode);
            await client.SendFrameAsync(10, ping.Payload);
        }

        await client.SendTextAsync("alive");
        Assert.Equal("alive", (await client.ReadFrameAsync())!.Text);
    }

    [Fact]
    public async Task Drain_lets_a_running_command_reply_before_1001()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gateway = await StartWithSlowCommandAsync(started, release.Task);
        using var client = await gateway.ConnectAsync();
        await client.SendTextAsync("slow");
        await started.Task.WaitAsync(Eventually.Patience);
        var stopping = gateway.DisposeAsync().AsTask();
        // "slow" finishes only once the shutdown is under way.
        Assert.True(await ShuttingDownAsync(gateway));
        release.SetResult();
        Assert.Equal("finished", await client.ReceiveTextAsync());
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await client.ReceiveCloseAsync()).Status);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await stopping;
    }

    [Fact]
    public async Task Commands_arriving_while_draining_are_not_taken_and_shutdown_completes()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gateway = await StartWithSlowCommandAsync(started, release.Task);
        using var client = await gateway.ConnectAsync();
        await client.SendTextAsync("slow");
        await started.Task.WaitAsync(Eventually.Patience);
        var stopping = gateway.DisposeAsync().AsTask();
        Assert.True(await ShuttingDownAsync(gateway));
        for (int i = 0; i < 100; i++)
        {
            await client.SendTextAsync("help");
        }

        release.SetResult();

        Assert.Equal("finished", await client.ReceiveTextAsync());
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await client.ReceiveCloseAsync()).Status);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await stopping;
    }

    [Fact]
    public async Task Peer_that_never_answers_our_close_frame_is_dropped_after_the_close_timeout()
    {
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Limits.IdleTimeoutSeconds = 1;
            o.Limits.CloseTimeoutSeconds = 1;
        });
        await using var client = await RawWebSocketClient.ConnectAsync(gateway.Port);
        Assert.Equal(1001, await client.ReadCloseCodeAsync());
        // The client neither answers the close frame nor closes TCP: the gateway half-closes at once and frees the
        // connection after Limits:CloseTimeoutSeconds.
        Assert.True(await client.ServerClosedTcpAsync());
        Assert.True(await Eventually.TrueAsync(() => gateway.Gateway.ConnectionCount == 0, Eventually.Patience));
    }
}
