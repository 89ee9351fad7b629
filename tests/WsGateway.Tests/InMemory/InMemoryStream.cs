using System.Buffers;
using System.IO.Pipelines;
using WsGateway.Transport;

namespace WsGateway.Tests.InMemory;

/// <summary>
/// The server's end of an in-memory connection: reads what the client wrote, writes what the client reads. It
/// behaves as a socket does where <see cref="TransportConnection"/> relies on it: a write waits while the client
/// leaves <c>window</c> bytes unread, <see cref="CompleteWritesAsync"/> is a FIN, and disposing (abort) is allowed from
/// any thread during a read or a write and fails both.
/// </summary>
internal sealed class InMemoryStream : Stream, IHalfClosable
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;

    // Serializes writes with completing the output: a pipe writer is not safe to complete while written to.
    private readonly Lock _gate = new();
    private bool _writesCompleted;
    private int _disposed;
    private int _writes;
    private int _blockedWrites;

    public InMemoryStream(PipeReader input, PipeWriter output)
    {
        _input = input;
        _output = output;
    }

    /// <summary>Writes so far: each is one send of the transport (one per segment under the stream path).</summary>
    public int Writes => Volatile.Read(ref _writes);

    /// <summary>True while a write waits for the client to read (the client left a window's worth unread).</summary>
    public bool IsWriteBlocked => Volatile.Read(ref _blockedWrites) != 0;

    /// <summary>True once disposed (the transport aborted, or was disposed after closing).</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public ValueTask CompleteWritesAsync()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            if (!_writesCompleted)
            {
                _writesCompleted = true;
                _output.Complete();
            }
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var result = await _input.ReadAsync(cancellationToken);
        var available = result.Buffer;
        if (result.IsCanceled || IsDisposed)
        {
            // Only disposing cancels our reads (the transport's own cancellation comes as the token).
            _input.AdvanceTo(available.Start);
            throw new ObjectDisposedException(nameof(InMemoryStream));
        }

        if (buffer.IsEmpty)
        {
            // A zero-byte read waits for data without taking any; the next read finds it at once.
            _input.AdvanceTo(available.Start);
            return 0;
        }

        var taken = available.Slice(0, Math.Min(buffer.Length, available.Length));
        taken.CopyTo(buffer.Span);
        _input.AdvanceTo(taken.End);
        return (int)taken.Length;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValueTask<FlushResult> flush;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            if (_writesCompleted)
            {
                throw new InvalidOperationException("Write after the half-close.");
            }

            _output.Write(buffer.Span);
            Interlocked.Increment(ref _writes);
            flush = _output.FlushAsync(cancellationToken);
        }

        FlushResult result;
        if (flush.IsCompleted)
        {
            result = flush.Result;
        }
        else
        {
            Interlocked.Increment(ref _blockedWrites);
            try
            {
                result = await flush;
            }
            finally
            {
                Interlocked.Decrement(ref _blockedWrites);
            }
        }

        if (result.IsCanceled || result.IsCompleted)
        {
            // Cancelled by disposing (abort), or the client stopped reading for good.
            throw new IOException("The connection was aborted.");
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    // The transport only reads and writes asynchronously; so does this stream.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // Wake a write blocked on a client that does not read; later writes see the flag.
            _output.CancelPendingFlush();
            lock (_gate)
            {
                // Unless a FIN went first, the client's next read fails, as after a reset: what it had not read is lost.
                if (!_writesCompleted)
                {
                    _writesCompleted = true;
                    _output.Complete(new IOException("The server aborted the connection."));
                }
            }

            _input.CancelPendingRead();
        }

        base.Dispose(disposing);
    }
}
