using System.Buffers;
using System.Text;
using WsGateway.Diagnostics;
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

    private static void Queue(TransportConnection server, ReadOnlySpan<byte> bytes)
    {
        server.Output.Write(bytes);
        server.CommitOutput();
    }
}
