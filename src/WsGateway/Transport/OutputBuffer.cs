using System.Buffers;

namespace WsGateway.Transport;

/// <summary>
/// The bytes a connection has yet to send: one buffer, rented from the pool on the first write, grown by doubling,
/// and handed whole to the sender (<see cref="TryTakeAll"/>), so that a connection with nothing to send holds none.
/// </summary>
/// <remarks>
/// Not thread-safe: its owner locks around every call. A mutable struct kept as a field and used in place, never
/// copied, so that it costs its connection no object of its own.
/// </remarks>
internal struct OutputBuffer
{
    // The smallest buffer rented: room for a typical burst of replies.
    private const int MinimumSize = 4096;

    private byte[]? _buffer;
    private int _length;

    /// <summary>Bytes written and not yet taken.</summary>
    public readonly int Length => _length;

    /// <summary>Room for at least <paramref name="sizeHint"/> bytes (one) after what is written: rented, or grown.</summary>
    public Memory<byte> GetMemory(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(sizeHint, MinimumSize));
        }
        else if (_buffer.Length - _length < sizeHint)
        {
            // Doubling keeps the copies of a growing backlog (a slow reader's fan-out) linear in its size.
            var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(2L * _buffer.Length, (long)_length + sizeHint)));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer.AsMemory(_length);
    }

    /// <summary>Counts <paramref name="count"/> bytes of the memory last given out as written.</summary>
    public void Advance(int count)
    {
        if ((uint)count > (uint)((_buffer?.Length ?? 0) - _length))
        {
            throw new ArgumentOutOfRangeException(nameof(count), "Advanced past the memory given out.");
        }

        _length += count;
    }

    /// <summary>
    /// Hands over everything written: the caller sends it and returns <paramref name="buffer"/> to the pool; writers
    /// start a new one. False when nothing was written (and an empty buffer goes back to the pool).
    /// </summary>
    public bool TryTakeAll(out byte[] buffer, out int length)
    {
        if (_length == 0)
        {
            Clear();
            (buffer, length) = (null!, 0);
            return false;
        }

        (buffer, length) = (_buffer!, _length);
        _buffer = null;
        _length = 0;
        return true;
    }

    /// <summary>Drops what is written and returns the buffer to the pool.</summary>
    public void Clear()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        _length = 0;
    }
}
