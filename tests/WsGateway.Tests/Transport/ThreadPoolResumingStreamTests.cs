using WsGateway.Transport;
using static WsGateway.Tests.Transport.SocketThreadTests;

namespace WsGateway.Tests.Transport;

/// <summary>Under TLS, SslStream reads the socket through it: a read that waited hands SslStream to the thread pool.</summary>
public sealed class ThreadPoolResumingStreamTests
{
    /// <summary>Each read or write waits for <see cref="Complete"/>, as a socket's wait for data or for buffer space.</summary>
    private sealed class WaitingStream : MemoryStream
    {
        private TaskCompletionSource<int>? _pending;

        public void Complete(int bytes) => _pending!.SetResult(bytes);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            new((_pending = new TaskCompletionSource<int>()).Task);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            new((_pending = new TaskCompletionSource<int>()).Task);
    }

    [Fact]
    public async Task A_read_that_waited_resumes_its_reader_on_the_thread_pool()
    {
        var inner = new WaitingStream();
        await using var stream = new ThreadPoolResumingStream(inner);
        var reading = ReadAsync(stream);
        OnDedicatedThread(() => inner.Complete(3));

        Assert.Equal((3, true), await reading.WaitAsync(Eventually.Patience));

        static async Task<(int, bool)> ReadAsync(Stream stream)
        {
            int read = await stream.ReadAsync(new byte[8]).ConfigureAwait(false);
            return (read, Thread.CurrentThread.IsThreadPoolThread);
        }
    }

    [Fact]
    public async Task A_write_that_waited_resumes_its_writer_on_the_thread_pool()
    {
        var inner = new WaitingStream();
        await using var stream = new ThreadPoolResumingStream(inner);
        var writing = WriteAsync(stream);
        OnDedicatedThread(() => inner.Complete(0));

        Assert.True(await writing.WaitAsync(Eventually.Patience));

        static async Task<bool> WriteAsync(Stream stream)
        {
            await stream.WriteAsync(new byte[8]).ConfigureAwait(false);
            return Thread.CurrentThread.IsThreadPoolThread;
        }
    }

    [Fact]
    public async Task A_read_with_bytes_at_hand_returns_them_at_once()
    {
        await using var stream = new ThreadPoolResumingStream(new MemoryStream([1, 2, 3]));
        var read = stream.ReadAsync(new byte[8]);

        Assert.True(read.IsCompletedSuccessfully);
        Assert.Equal(3, await read);
    }
}
