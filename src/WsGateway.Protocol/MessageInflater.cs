using System.Buffers;
using System.IO.Compression;

namespace WsGateway.Protocol;

/// <summary>
/// Inflates permessage-deflate messages (RFC 7692 section 7.2.2) with the platform's zlib, stopping as soon as the
/// output passes the message size limit: a decompression bomb costs at most the limit.
/// </summary>
/// <remarks>
/// With client context takeover one inflater lives as long as the connection (the client's messages refer back to
/// earlier ones); without it, an inflater exists only while a message is inflated, so idle connections hold no zlib
/// state.
/// </remarks>
public sealed class MessageInflater : IDisposable
{
    private static readonly byte[] FlushTail = [0x00, 0x00, 0xFF, 0xFF];

    // What one Read asks for: large enough to inflate typical messages in one call, small enough not to overshoot the
    // limit by much before it is noticed.
    private const int ReadChunk = 16 * 1024;

    private readonly bool _contextTakeover;
    private readonly CompressedInput _input = new();
    private DeflateStream? _inflater;

    /// <param name="contextTakeover">Whether the client compresses with earlier messages as context.</param>
    public MessageInflater(bool contextTakeover) => _contextTakeover = contextTakeover;

    /// <summary>
    /// Inflates <paramref name="compressed"/> (one whole message, as received) into a buffer rented from
    /// <see cref="ArrayPool{T}.Shared"/>, charged to <paramref name="budget"/> as it grows.
    /// </summary>
    /// <param name="maxMessageBytes">Largest inflated size allowed.</param>
    /// <param name="budget">What the output buffer is charged to (its whole length); null for none.</param>
    /// <param name="output">
    /// On success, the rented buffer: the caller returns it to the pool and releases its length from
    /// <paramref name="budget"/>; null otherwise (then nothing stays charged).
    /// </param>
    /// <param name="length">Inflated bytes in <paramref name="output"/>.</param>
    /// <returns>
    /// <see cref="FrameError.None"/>, <see cref="FrameError.MessageTooBig"/>, <see cref="FrameError.InvalidCompressedData"/>
    /// or <see cref="FrameError.MemoryBudgetExceeded"/>.
    /// </returns>
    public FrameError Inflate(ReadOnlyMemory<byte> compressed, long maxMessageBytes, IBufferBudget? budget, out byte[]? output, out int length)
    {
        output = null;
        length = 0;
        // Text typically inflates to a few times its compressed size.
        int initial = (int)Math.Max(1, Math.Min(Math.Max(compressed.Length * 4L, 256), Math.Min(maxMessageBytes, ReadChunk)));
        if (!BudgetedPool.TryRent(budget, initial, poolAnySize: true, out var buffer))
        {
            return FrameError.MemoryBudgetExceeded;
        }

        _input.Reset(compressed, FlushTail);
        var inflater = _inflater ??= new DeflateStream(_input, CompressionMode.Decompress, leaveOpen: true);
        Span<byte> probe = stackalloc byte[1];
        try
        {
            while (true)
            {
                if (length >= maxMessageBytes)
                {
                    // At the limit: one byte more means the message is too big. Looked for without growing the buffer
                    // past the limit (the pool would round that up to twice the limit for a message exactly at it).
                    if (inflater.Read(probe) > 0)
                    {
                        BudgetedPool.Return(budget, buffer, poolAnySize: true);
                        length = 0;
                        return FrameError.MessageTooBig;
                    }

                    break;
                }

                if (length == buffer.Length && !TryGrow(ref buffer, length, maxMessageBytes, budget))
                {
                    BudgetedPool.Return(budget, buffer, poolAnySize: true);
                    length = 0;
                    return FrameError.MemoryBudgetExceeded;
                }

                long room = Math.Min(buffer.Length - length, maxMessageBytes - length);
                int read = inflater.Read(buffer, length, (int)Math.Min(room, ReadChunk));
                if (read == 0)
                {
                    break;
                }

                length += read;
            }
        }
        catch (InvalidDataException)
        {
            BudgetedPool.Return(budget, buffer, poolAnySize: true);
            length = 0;
            DropInflater();
            return FrameError.InvalidCompressedData;
        }
        finally
        {
            if (!_contextTakeover)
            {
                DropInflater();
            }
        }

        output = buffer;
        return FrameError.None;
    }

    public void Dispose() => DropInflater();

    private void DropInflater()
    {
        _inflater?.Dispose();
        _inflater = null;
    }

    /// <returns>False when <paramref name="budget"/> refused the larger buffer; <paramref name="buffer"/> is then unchanged.</returns>
    private static bool TryGrow(ref byte[] buffer, int length, long maxMessageBytes, IBufferBudget? budget)
    {
        long size = Math.Min((long)buffer.Length * 2, maxMessageBytes);
        if (!BudgetedPool.TryRent(budget, (int)size, poolAnySize: true, out var larger))
        {
            return false;
        }

        buffer.AsSpan(0, length).CopyTo(larger);
        BudgetedPool.Return(budget, buffer, poolAnySize: true);
        buffer = larger;
        return true;
    }

    /// <summary>The compressed message and the flush tail the sender removed, read by the inflater as one stream.</summary>
    private sealed class CompressedInput : Stream
    {
        private ReadOnlyMemory<byte> _message;
        private ReadOnlyMemory<byte> _tail;

        public void Reset(ReadOnlyMemory<byte> message, ReadOnlyMemory<byte> tail) => (_message, _tail) = (message, tail);

        public override int Read(Span<byte> buffer)
        {
            ref var source = ref _message.IsEmpty ? ref _tail : ref _message;
            int count = Math.Min(buffer.Length, source.Length);
            source.Span[..count].CopyTo(buffer);
            source = source[count..];
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
