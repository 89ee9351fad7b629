using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using WsGateway.Diagnostics;
using WsGateway.Transport;

namespace WsGateway.IntegrationTests.Connections;

/// <summary>
/// A plain TCP connection reads its socket itself (<see cref="SocketReader"/>) and sends from a buffer rented per
/// burst: these are the cases the WebSocket tests above it meet only by chance (bytes split anywhere, a head larger
/// than a receive buffer, a send larger than the kernel takes at once), on a real loopback pair.
/// </summary>
public sealed class SocketReaderTests : IAsyncLifetime
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly CancellationTokenSource _timeout = new(Eventually.Patience);
    private Socket _client = null!;
    private TransportConnection _transport = null!;

    public async Task InitializeAsync()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await _client.ConnectAsync(_listener.LocalEndPoint!);
        _transport = TransportConnection.Accept(await _listener.AcceptAsync(), BufferBudget.Unlimited, new GatewayMetrics());
    }

    public async Task DisposeAsync()
    {
        await _transport.DisposeAsync();
        _client.Dispose();
        _listener.Dispose();
        _timeout.Dispose();
    }

    [Fact]
    public async Task Bytes_examined_but_not_consumed_are_kept_and_the_next_bytes_follow_them()
    {
        await _client.SendAsync("GET / HT"u8.ToArray());
        var first = await ReadAtLeastAsync(1);
        _transport.Input.AdvanceTo(first.Buffer.Start, first.Buffer.End);

        await _client.SendAsync("TP/1.1\r\n"u8.ToArray());
        Assert.Equal("GET / HTTP/1.1\r\n", await ReadTextAsync(16));
    }

    [Fact]
    public async Task A_head_larger_than_one_receive_buffer_is_held_whole_until_consumed()
    {
        var head = new byte[100_000];
        Random.Shared.NextBytes(head);

        var sending = _client.SendAsync(head);
        var result = await ReadAtLeastAsync(head.Length);
        await sending;

        Assert.Equal(head, result.Buffer.Slice(0, head.Length).ToArray());
        _transport.Input.AdvanceTo(result.Buffer.End);
    }

    [Fact]
    public async Task Consumed_bytes_are_gone_and_a_partly_consumed_buffer_goes_on_where_it_stopped()
    {
        await _client.SendAsync("abcdef"u8.ToArray());
        var result = await ReadAtLeastAsync(6);
        _transport.Input.AdvanceTo(result.Buffer.GetPosition(2), result.Buffer.End);

        await _client.SendAsync("gh"u8.ToArray());
        Assert.Equal("cdefgh", await ReadTextAsync(6));

        await _client.SendAsync("ij"u8.ToArray());
        Assert.Equal("ij", await ReadTextAsync(2));
    }

    [Fact]
    public async Task The_peer_closing_its_side_completes_the_reader_after_its_last_bytes()
    {
        await _client.SendAsync("bye"u8.ToArray());
        _client.Shutdown(SocketShutdown.Send);

        var result = await ReadAtLeastAsync(3);
        while (!result.IsCompleted)
        {
            _transport.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            result = await _transport.Input.ReadAsync(_timeout.Token);
        }

        Assert.Equal("bye"u8.ToArray(), result.Buffer.ToArray());
        _transport.Input.AdvanceTo(result.Buffer.End);
        Assert.True((await _transport.Input.ReadAsync(_timeout.Token)).IsCompleted);
    }

    [Fact]
    public async Task A_cancelled_pending_read_of_an_aborted_connection_ends_as_cancelled_not_as_an_error()
    {
        var read = _transport.Input.ReadAsync(_timeout.Token).AsTask();
        Assert.False(read.IsCompleted);

        _transport.Input.CancelPendingRead();
        _transport.Abort();

        Assert.True((await read).IsCanceled);
    }

    [Fact]
    public async Task A_read_given_up_at_its_deadline_throws_and_the_connection_still_reads_afterwards()
    {
        using (var deadline = new CancellationTokenSource())
        {
            var read = _transport.Input.ReadAsync(deadline.Token).AsTask();
            await deadline.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        }

        await _client.SendAsync("late"u8.ToArray());
        Assert.Equal("late", await ReadTextAsync(4));
    }

    [Fact]
    public async Task A_send_larger_than_the_kernel_takes_at_once_arrives_whole_and_leaves_nothing_counted()
    {
        var payload = new byte[4 * 1024 * 1024];
        Random.Shared.NextBytes(payload);
        lock (_transport.WriteLock)
        {
            _transport.Output.Write(payload);
            _transport.CommitOutput();
        }

        // The client has not read yet: the non-blocking send takes what fits, the rest waits for the client.
        var sending = _transport.SendAsync().AsTask();
        var received = new byte[payload.Length];
        int total = 0;
        while (total < received.Length)
        {
            int n = await _client.ReceiveAsync(received.AsMemory(total), SocketFlags.None, _timeout.Token);
            Assert.NotEqual(0, n);
            total += n;
        }

        await sending;
        Assert.Equal(payload, received);
        Assert.Equal(0, _transport.UnsentBytes);
        Assert.False(_transport.IsSending);
    }

    private async Task<ReadResult> ReadAtLeastAsync(int length)
    {
        while (true)
        {
            var result = await _transport.Input.ReadAsync(_timeout.Token);
            if (result.Buffer.Length >= length || result.IsCompleted)
            {
                return result;
            }

            _transport.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private async Task<string> ReadTextAsync(int length)
    {
        var result = await ReadAtLeastAsync(length);
        var text = System.Text.Encoding.ASCII.GetString(result.Buffer.Slice(0, length).ToArray());
        _transport.Input.AdvanceTo(result.Buffer.GetPosition(length));
        return text;
    }
}
