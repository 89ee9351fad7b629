using System.Buffers;
using System.Text;
using WsGateway.Diagnostics;
using WsGateway.Testing;
using WsGateway.Tests.InMemory;
using WsGateway.Transport;

namespace WsGateway.Tests.Transport;

/// <summary>
/// The transport's own promises, on the in-memory stream: one write carries all that is committed, bytes committed
/// during a send go out with the next, a close sends what is queued before its FIN, and an abort frees a send stuck on
/// a client that does not read.
/// </summary>
public sealed class TransportConnectionTests
{
    private readonly GatewayMetrics _metrics = new();

    [Fact]
    public async Task Bytes_committed_before_a_send_leave_in_one_write()
    {
        await using var client = new InMemoryTransport(_metrics);
        await using var server = client.Server;

        Queue(server, "hello "u8);
        Queue(server, "world"u8);
        await server.SendAsync();

        Assert.Equal("hello world", Encoding.ASCII.GetString(await client.ReadBytesAsync(11)));
        Assert.Equal(1, _metrics.SocketSends);
        Assert.Equal(1, client.ServerStream.Writes);
    }

    [Fact]
    public async Task Bytes_committed_while_a_send_is_blocked_leave_together_in_the_next_write()
    {
        await using var client = new InMemoryTransport(_metrics, window: 16 * 1024);
        await using var server = client.Server;
        var large = new byte[32 * 1024];

        Queue(server, large);
        var first = server.SendAsync();

        // The client reads nothing yet: the send is stuck in the stream, and the caller that started it waits.
        Assert.True(client.ServerStream.IsWriteBlocked);
        Assert.False(first.IsCompleted);
        for (int i = 0; i < 3; i++)
        {
            Queue(server, "abc"u8);
            var queued = server.SendAsync();

            // Below the wait threshold a writer leaves its bytes to the sender in progress and goes on.
            Assert.True(queued.IsCompleted);
        }

        Assert.Equal(1, _metrics.SocketSends);
        var received = await client.ReadBytesAsync(large.Length + 9);
        await first.AsTask().WaitAsync(InMemoryTransport.Patience);

        Assert.Equal("abcabcabc", Encoding.ASCII.GetString(received.AsSpan(large.Length)));
        Assert.Equal(2, _metrics.SocketSends);
    }

    [Fact]
    public async Task Close_sends_what_is_queued_then_half_closes_and_waits_for_the_client_to_end()
    {
        await using var client = new InMemoryTransport(_metrics);
        await using var server = client.Server;

        Queue(server, "last words"u8);
        var closing = server.CloseAsync(InMemoryTransport.Patience, CancellationToken.None);

        Assert.Equal("last words", Encoding.ASCII.GetString(await client.ReadBytesAsync(10)));
        var (frames, aborted) = await client.ReadToEndAsync();
        Assert.Empty(frames);
        Assert.False(aborted, "the server's side must end with a FIN, not an abort");

        // Still reading (and discarding) until the client ends its side too.
        Assert.False(closing.IsCompleted);
        await client.SendAsync("ignored"u8.ToArray());
        await client.CompleteWritesAsync();
        await closing.WaitAsync(InMemoryTransport.Patience);
        Assert.False(server.IsAborted);
    }

    [Fact]
    public async Task Abort_frees_a_send_stuck_on_a_client_that_does_not_read()
    {
        await using var client = new InMemoryTransport(_metrics, window: 16 * 1024);
        await using var server = client.Server;
        Queue(server, new byte[64 * 1024]);
        var stuck = server.SendAsync();
        Assert.True(client.ServerStream.IsWriteBlocked);
        int writes = client.ServerStream.Writes;

        server.Abort();

        // The send ends without throwing (a failed send aborts, and that is all), and nothing is sent after.
        await stuck.AsTask().WaitAsync(InMemoryTransport.Patience);
        Assert.True(server.IsAborted);
        Queue(server, "too late"u8);
        await server.SendAsync();
        Assert.Equal(writes, client.ServerStream.Writes);
        await Assert.ThrowsAsync<IOException>(() => client.ReadBytesAsync(64 * 1024 + 1));
    }

    [Fact]
    public async Task Unsent_bytes_and_the_budget_return_to_zero_after_batches_that_span_many_pipe_segments()
    {
        var budget = new BufferBudget(() => 0);
        await using var client = new InMemoryTransport(_metrics, budget: budget);
        await using var server = client.Server;
        var large = new byte[65_546];

        // Each batch spans several 4 KiB segments; a batch's length read after the segments went back to the pool
        // once left 64 KiB counted as unsent for every batch, until a reading peer was dropped as a slow one.
        for (int i = 0; i < 20; i++)
        {
            Assert.True(server.TryReserve(large.Length + 6));
            Queue(server, large);
            Queue(server, "tick.."u8);
            var sending = server.SendAsync();
            await client.ReadBytesAsync(large.Length + 6);
            await sending.AsTask().WaitAsync(InMemoryTransport.Patience);
            Assert.Equal(0, server.UnsentBytes);
            Assert.Equal(0, budget.Used);
        }
    }

    [Fact]
    public async Task Scheduled_sends_carry_everything_committed_before_their_turn_in_one_write()
    {
        await using var client = new InMemoryTransport(_metrics, window: 16 * 1024);
        await using var server = client.Server;

        // A send stuck on the client holds the connection's turn; messages for it pile up meanwhile.
        Queue(server, new byte[32 * 1024]);
        var stuck = server.SendAsync();
        Assert.False(stuck.IsCompleted);
        for (int i = 0; i < 50; i++)
        {
            Queue(server, "fan-out "u8);
            server.ScheduleSend();
        }

        await client.ReadBytesAsync(32 * 1024);
        var fannedOut = await client.ReadBytesAsync(50 * 8);
        Assert.Equal(string.Concat(Enumerable.Repeat("fan-out ", 50)), Encoding.ASCII.GetString(fannedOut));
        await stuck.AsTask().WaitAsync(InMemoryTransport.Patience);
        Assert.Equal(2, _metrics.SocketSends);
    }

    [Fact]
    public async Task Scheduled_send_goes_out_alone_when_nothing_else_is_queued()
    {
        await using var client = new InMemoryTransport(_metrics);
        await using var server = client.Server;

        Queue(server, "one"u8);
        server.ScheduleSend();

        Assert.Equal("one", Encoding.ASCII.GetString(await client.ReadBytesAsync(3)));
        Assert.True(await Eventually.TrueAsync(() => server.UnsentBytes == 0, Eventually.Patience));
    }

    [Fact]
    public async Task A_fan_out_batch_does_not_hold_a_connection_with_64_KiB_waiting()
    {
        await using var client = new InMemoryTransport(_metrics, window: 256 * 1024);
        await using var server = client.Server;
        using var received = new ManualResetEventSlim();
        bool sentWhileOpen = false;

        // The batch is thread-static: a thread of its own keeps it open until the client has what was sent, which it
        // could never have if the batch held the send until its end.
        var round = new Thread(() =>
        {
            FanOutBatch.Begin();
            try
            {
                Queue(server, new byte[TransportConnection.WaitThreshold]);
                server.ScheduleSend();
                sentWhileOpen = received.Wait(InMemoryTransport.Patience);
            }
            finally
            {
                FanOutBatch.End();
            }
        });
        round.Start();

        await client.ReadBytesAsync((int)TransportConnection.WaitThreshold);
        received.Set();
        round.Join();
        Assert.True(sentWhileOpen, "the send waited for the batch to end");
    }

    [Fact]
    public void Budget_refuses_what_would_pass_it_and_takes_back_what_is_released()
    {
        long limit = 100;
        var budget = new BufferBudget(() => limit);

        Assert.True(budget.TryReserve(60));
        Assert.False(budget.TryReserve(41));
        Assert.Equal(60, budget.Used);
        Assert.Equal(1, budget.Refusals);
        budget.Reserve(50);
        Assert.Equal(110, budget.Used);
        budget.Release(110);
        Assert.True(budget.TryReserve(100));
        limit = 0;
        Assert.True(budget.TryReserve(1_000_000), "0 means no budget");
    }

    private static void Queue(TransportConnection server, ReadOnlySpan<byte> bytes)
    {
        server.Output.Write(bytes);
        server.CommitOutput();
    }
}
