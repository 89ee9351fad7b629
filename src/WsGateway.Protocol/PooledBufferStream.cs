using System.Buffers;

namespace WsGateway.Protocol;

/// <summary>
/// A write-only stream into one buffer rented from <see cref="ArrayPool{T}.Shared"/>, grown by doubling. After
/// <see cref="Seal"/> further writes are discarded; <see cref="Detach"/> hands the buffer to the caller.
/// </summary>
internal sealed class PooledBufferStream : Stream
{
    private byte[]? _buffer;
    private int _length;
    private bool _sealed;

    public PooledBufferStream(int initialCapacity) => _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));

    public override long Length => _length;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Position { get => _length; set => throw new NotSupportedException(); }

    public void Seal() => _sealed = true;

    /// <summary>The buffer, now the caller's to return to the pool.</summary>
    public byte[] Detach()
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(PooledBufferStream));
        _buffer = null;
        return buffer;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_sealed)
        {
            return;
        }

        var target = _buffer ?? throw new ObjectDisposedException(nameof(PooledBufferStream));
        if (_length + buffer.Length > target.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(target.Length * 2, _length + buffer.Length));
            target.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(target);
            _buffer = target = larger;
        }

        buffer.CopyTo(target.AsSpan(_length));
        _length += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        base.Dispose(disposing);
    }
}
