using System.Text;
using Serilog.Core;
using WsGateway.Diagnostics;
using WsGateway.Options;
using WsGateway.Protocol;
using WsGateway.Sending;
using WsGateway.Tests.InMemory;

namespace WsGateway.Tests.Sending;

/// <summary>
/// The sender over a real transport on the in-memory stream: frames that pile up leave in fewer writes, a client that
/// stops reading paces a writer past the threshold and is dropped past <c>Limits:SendBufferBytes</c>, and no data
/// frame ever follows the close frame.
/// </summary>
public sealed class FrameSenderTests
{
    private readonly GatewayMetrics _metrics = new();
    private readonly GatewayOptions _options = new();

    [Fact]
    public async Task Frames_queued_under_a_cork_leave_in_one_write_when_it_is_let_go()
    {
        await using var client = new InMemoryTransport(_metrics);
        await using var server = client.Server;
        var sender = Sender(client);

        sender.Cork();
        for (int i = 0; i < 10; i++)
        {
            await sender.SendTextAsync($"message {i}");
        }

        Assert.Equal(0, _metrics.SocketSends);
        await sender.UncorkAsync();

        Assert.Equal(1, _metrics.SocketSends);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal($"message {i}", (await client.ReadFrameExpectedAsync()).Text);
        }
    }

    [Fact]
    public async Task Frames_queued_while_a_send_is_in_flight_leave_together_after_it()
    {
        await using var client = new InMemoryTransport(_metrics, window: 16 * 1024);
        await using var server = client.Server;
        var sender = Sender(client);

        var first = sender.SendAsync(Opcode.Binary, new byte[32 * 1024]);
        Assert.True(client.ServerStream.IsWriteBlocked);
        for (int i = 0; i < 10; i++)
        {
            Assert.True(sender.SendTextAsync($"message {i}").IsCompleted, "a writer below the threshold does not wait");
        }

        Assert.Equal(1, _metrics.SocketSends);
        Assert.Equal(Opcode.Binary, (await client.ReadFrameExpectedAsync()).Opcode);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal($"message {i}", (await client.ReadFrameExpectedAsync()).Text);
        }

        await first.AsTask().WaitAsync(InMemoryTransport.Patience);
        Assert.Equal(2, _metrics.SocketSends);
    }

    [Fact]
    public async Task A_writer_past_the_wait_threshold_waits_for_its_turn_and_keeps_its_place()
    {
        await using var client = new InMemoryTransport(_metrics, window: 16 * 1024);
        await using var server = client.Server;
        var sender = Sender(client);

        var first = sender.SendAsync(Opcode.Binary, Filled(20 * 1024, 1));
        var small = sender.SendTextAsync("small");
        var large = sender.SendAsync(Opcode.Binary, Filled(50 * 1024, 2));

        // 70 KiB wait behind a stuck send: the last writer is paced by the client's reading; the one before is not.
        Assert.True(small.IsCompleted);
        Assert.False(large.IsCompleted);
        Assert.False(server.IsAborted);

        var frames = new[] { await client.ReadFrameExpectedAsync(), await client.ReadFrameExpectedAsync(), await client.ReadFrameExpectedAsync() };
        await Task.WhenAll(first.AsTask(), large.AsTask()).WaitAsync(InMemoryTransport.Patience);

        Assert.Equal(new[] { 20 * 1024, 5, 50 * 1024 }, frames.Select(f => f.Payload.Length));
        Assert.Equal(new byte[] { 1, (byte)'s', 2 }, frames.Select(f => f.Payload[0]));
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_dropped_once_more_than_the_send_buffer_waits_for_it()
    {
        _options.Limits.SendBufferBytes = 100_000;
        await using var client = new InMemoryTransport(_metrics, window: 16 * 1024);
        await using var server = client.Server;
        var sender = Sender(client);

        // Not awaited: a writer past the wait threshold would wait for a client that never reads.
        var sends = new List<Task>();
        for (int i = 0; i < 10 && !server.IsAborted; i++)
        {
            sends.Add(sender.SendAsync(Opcode.Binary, new byte[40 * 1024]).AsTask());
        }

        Assert.True(server.IsAborted);
        Assert.Equal(4, sends.Count);
        await Task.WhenAll(sends).WaitAsync(InMemoryTransport.Patience);
        Assert.False(sender.TryQueueText("later"));
        Assert.Contains("wsgateway_send_buffer_overflows_total 1", await ExportedMetricsAsync());
        Assert.True((await client.ReadToEndAsync()).Aborted);
    }

    [Fact]
    public async Task No_data_frame_follows_the_close_frame()
    {
        await using var client = new InMemoryTransport(_metrics);
        await using var server = client.Server;
        var sender = Sender(client);

        await sender.SendTextAsync("before");
        Assert.True(sender.TryQueueClose(CloseStatus.NormalClosure, "bye"));
        Assert.False(sender.TryQueueText("after"));
        await sender.SendAsync(Opcode.Ping, []);
        Assert.False(sender.TryQueueClose(CloseStatus.GoingAway, "again"));
        await sender.FlushAsync();
        var closing = server.CloseAsync(InMemoryTransport.Patience, CancellationToken.None);

        var (frames, aborted) = await client.ReadToEndAsync();
        await client.CompleteWritesAsync();
        await closing.WaitAsync(InMemoryTransport.Patience);

        Assert.Equal(new[] { "Text \"before\"", "Close 1000 \"bye\"" }, frames.Select(f => f.ToString()));
        Assert.False(aborted);
    }

    [Fact]
    public async Task Concurrent_writers_frames_arrive_whole_in_each_writers_order_and_none_after_the_close()
    {
        await using var client = new InMemoryTransport(_metrics, window: 8 * 1024);
        await using var server = client.Server;
        var sender = Sender(client);
        var reading = client.ReadToEndAsync();
        const int Writers = 4;
        const int PerWriter = 300;
        var queued = new int[Writers];

        var writers = Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            for (int i = 0; i < PerWriter; i++)
            {
                // Sizes vary so that frames straddle the writes of the stream.
                if (!sender.TryQueueText($"{writer}:{i}:{new string('x', i % 97)}"))
                {
                    return;
                }

                queued[writer]++;
                await sender.FlushAsync();
                if (writer == 0 && i == PerWriter / 3)
                {
                    Assert.True(sender.TryQueueClose(CloseStatus.NormalClosure, null));
                    await sender.FlushAsync();
                }
            }
        })).ToArray();
        await Task.WhenAll(writers).WaitAsync(InMemoryTransport.Patience);
        var closing = server.CloseAsync(InMemoryTransport.Patience, CancellationToken.None);
        var (frames, aborted) = await reading.WaitAsync(InMemoryTransport.Patience);
        await client.CompleteWritesAsync();
        await closing.WaitAsync(InMemoryTransport.Patience);

        Assert.False(aborted);
        Assert.Equal(Opcode.Close, frames[^1].Opcode);
        var data = frames[..^1];
        Assert.All(data, f => Assert.Equal(Opcode.Text, f.Opcode));
        Assert.Equal(queued.Sum(), data.Count);
        for (int writer = 0; writer < Writers; writer++)
        {
            var sequence = data.Select(f => f.Text.Split(':')).Where(p => p[0] == writer.ToString()).Select(p => int.Parse(p[1]));
            Assert.Equal(Enumerable.Range(0, queued[writer]), sequence);
        }
    }

    private FrameSender Sender(InMemoryTransport client) =>
        new(client.Server, "in-memory-1", new LiveOptions(_options), _metrics, Logger.None);

    private static byte[] Filled(int length, byte value)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill(value);
        return bytes;
    }

    private async Task<string> ExportedMetricsAsync()
    {
        using var exported = new MemoryStream();
        await _metrics.ExportAsync(exported, CancellationToken.None);
        return Encoding.UTF8.GetString(exported.ToArray());
    }
}
