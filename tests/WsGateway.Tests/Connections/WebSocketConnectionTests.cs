using System.Text;
using WsGateway.Protocol;
using WsGateway.Tests.InMemory;

namespace WsGateway.Tests.Connections;

/// <summary>
/// The receive loop and the close handshake of a real <see cref="WsGateway.Connections.WebSocketConnection"/>, with the
/// test as its client over the in-memory transport.
/// </summary>
public sealed class WebSocketConnectionTests
{
    [Fact]
    public async Task A_text_message_reaches_the_route()
    {
        var route = new StubRoute();
        await using var harness = InMemoryConnection.Start(route);

        await harness.Client.SendTextAsync("hello ✓");

        var (opcode, payload) = await route.NextMessageAsync();
        Assert.Equal(Opcode.Text, opcode);
        Assert.Equal("hello ✓", Encoding.UTF8.GetString(payload));
    }

    [Fact]
    public async Task A_fragmented_message_reaches_the_route_whole_and_a_ping_between_its_fragments_is_answered()
    {
        var route = new StubRoute();
        await using var harness = InMemoryConnection.Start(route);

        await harness.Client.SendAsync(Concat(
            InMemoryTransport.ClientText("hel", fin: false),
            InMemoryTransport.ClientFrame(Opcode.Ping, "between"u8),
            InMemoryTransport.ClientFrame(Opcode.Continuation, "lo wo"u8, fin: false)));
        var pong = await harness.Client.ReadFrameExpectedAsync();
        Assert.Equal(0, route.Waiting);
        await harness.Client.SendFrameAsync(Opcode.Continuation, "rld"u8);

        Assert.Equal(Opcode.Pong, pong.Opcode);
        Assert.Equal("between", pong.Text);
        var (opcode, payload) = await route.NextMessageAsync();
        Assert.Equal(Opcode.Text, opcode);
        Assert.Equal("hello world", Encoding.UTF8.GetString(payload));
    }

    [Fact]
    public async Task A_ping_is_answered_with_a_pong_carrying_its_payload()
    {
        await using var harness = InMemoryConnection.Start(new StubRoute());

        await harness.Client.SendFrameAsync(Opcode.Ping, "are you there"u8);

        var pong = await harness.Client.ReadFrameExpectedAsync();
        Assert.Equal(Opcode.Pong, pong.Opcode);
        Assert.Equal("are you there", pong.Text);
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(4001)]
    [InlineData(null)]
    public async Task The_peers_close_is_echoed_then_tcp_ends_cleanly(int? code)
    {
        var route = new StubRoute();
        await using var harness = InMemoryConnection.Start(route);

        await harness.Client.SendCloseAsync(code, "bye");
        var echo = await harness.Client.ReadFrameExpectedAsync();
        var (after, aborted) = await harness.Client.ReadToEndAsync();
        await harness.Client.CompleteWritesAsync();
        await harness.EndedAsync();

        Assert.Equal(Opcode.Close, echo.Opcode);
        Assert.Equal(code ?? CloseStatus.NoStatusReceived, echo.CloseCode);
        Assert.Empty(after);
        Assert.False(aborted, "after the close handshake the server half-closes; it does not abort");
        Assert.True(route.Closed.Task.IsCompleted);
        Assert.True(harness.Connection.Closed.IsCancellationRequested);
    }

    [Theory]
    [InlineData("unmasked frame", CloseStatus.ProtocolError)]
    [InlineData("reserved opcode", CloseStatus.ProtocolError)]
    [InlineData("fragmented ping", CloseStatus.ProtocolError)]
    [InlineData("continuation without a message", CloseStatus.ProtocolError)]
    [InlineData("close code 1005 on the wire", CloseStatus.ProtocolError)]
    [InlineData("text that is not UTF-8", CloseStatus.InvalidPayloadData)]
    [InlineData("message over Limits:MaxMessageBytes", CloseStatus.MessageTooBig)]
    public async Task A_protocol_error_closes_with_its_code_and_the_bad_message_never_reaches_the_route(string error, int expectedCode)
    {
        var route = new StubRoute();
        await using var harness = InMemoryConnection.Start(route, o => o.Limits.MaxMessageBytes = 16);
        var frame = error switch
        {
            "unmasked frame" => InMemoryTransport.ClientFrame(Opcode.Text, "hi"u8, mask: false),
            "reserved opcode" => InMemoryTransport.ClientFrame((Opcode)3, "hi"u8),
            "fragmented ping" => InMemoryTransport.ClientFrame(Opcode.Ping, "hi"u8, fin: false),
            "continuation without a message" => InMemoryTransport.ClientFrame(Opcode.Continuation, "hi"u8),
            "close code 1005 on the wire" => InMemoryTransport.ClientFrame(Opcode.Close, [0x03, 0xED]),
            "text that is not UTF-8" => InMemoryTransport.ClientFrame(Opcode.Text, [0xC3, 0x28]),
            "message over Limits:MaxMessageBytes" => InMemoryTransport.ClientText(new string('x', 17)),
            _ => throw new ArgumentOutOfRangeException(nameof(error)),
        };

        await harness.Client.SendAsync(frame);
        var frames = await harness.Client.ReadUntilCloseAsync();
        var (after, aborted) = await harness.AnswerCloseAsync(expectedCode);

        Assert.Equal(expectedCode, Assert.Single(frames).CloseCode);
        Assert.Empty(after);
        Assert.False(aborted);
        Assert.Equal(0, route.Waiting);
    }

    [Fact]
    public async Task Replies_queued_before_a_close_all_leave_before_the_close_frame_and_later_messages_are_not_delivered()
    {
        var route = new StubRoute
        {
            OnMessage = async (connection, _, payload) =>
            {
                var text = Encoding.UTF8.GetString(payload.Span);
                if (text == "close")
                {
                    await connection.CloseAsync(CloseStatus.NormalClosure, "done");
                    return;
                }

                await connection.Sender.SendTextAsync("re: " + text);
                await connection.Sender.SendTextAsync("and: " + text);
            },
        };
        await using var harness = InMemoryConnection.Start(route);

        // One write, so one read: the replies and the close are queued under the receive loop's cork together.
        await harness.Client.SendAsync(Concat(
            InMemoryTransport.ClientText("a"), InMemoryTransport.ClientText("b"), InMemoryTransport.ClientText("close"),
            InMemoryTransport.ClientText("after the close")));
        var frames = await harness.Client.ReadUntilCloseAsync();
        double sends = harness.Metrics.SocketSends;
        var (after, aborted) = await harness.AnswerCloseAsync(CloseStatus.NormalClosure);

        Assert.Equal(
            new[] { "Text \"re: a\"", "Text \"and: a\"", "Text \"re: b\"", "Text \"and: b\"", "Close 1000 \"done\"" },
            frames.Select(f => f.ToString()));
        Assert.Equal(1, sends);
        Assert.Empty(after);
        Assert.False(aborted);
        Assert.Equal(3, route.Waiting);
    }

    [Fact]
    public async Task Tcp_closed_without_a_close_frame_ends_the_connection_without_one()
    {
        var route = new StubRoute();
        await using var harness = InMemoryConnection.Start(route);

        await harness.Client.CompleteWritesAsync();
        await harness.EndedAsync();

        var (frames, aborted) = await harness.Client.ReadToEndAsync();
        Assert.Empty(frames);
        Assert.True(aborted, "with no close handshake there is nothing to half-close for");
        Assert.True(route.Closed.Task.IsCompleted);
    }

    [Fact]
    public async Task A_route_that_throws_costs_only_its_connection_which_closes_with_1011()
    {
        var route = new StubRoute { OnMessage = (_, _, _) => throw new InvalidOperationException("a bug in the route") };
        await using var harness = InMemoryConnection.Start(route);

        await harness.Client.SendTextAsync("anything");
        var frames = await harness.Client.ReadUntilCloseAsync();
        var (_, aborted) = await harness.AnswerCloseAsync(CloseStatus.InternalError);

        Assert.Equal("Close 1011 \"internal error\"", Assert.Single(frames).ToString());
        Assert.False(aborted);
    }

    private static byte[] Concat(params byte[][] frames) => [.. frames.SelectMany(f => f)];
}
