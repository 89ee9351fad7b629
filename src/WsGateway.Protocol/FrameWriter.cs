using System.Buffers.Binary;

namespace WsGateway.Protocol;

/// <summary>Writes RFC 6455 frame headers (section 5.2) with the minimal length encoding.</summary>
public static class FrameWriter
{
    /// <summary>2 fixed bytes + 8 bytes of 64-bit length + 4 bytes of mask.</summary>
    public const int MaxHeaderLength = 14;

    /// <summary>Bytes <see cref="WriteHeader"/> will write for this payload length.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="payloadLength"/> is negative.</exception>
    public static int GetHeaderLength(long payloadLength, bool masked)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        int length = payloadLength switch
        {
            <= 125 => 2,
            <= ushort.MaxValue => 4,
            _ => 10,
        };
        return masked ? length + 4 : length;
    }

    /// <summary>
    /// Writes a header. Protocol rules (control frame size, FIN on control frames, opcode range) are the caller's: the
    /// writer encodes what it is given, which is also what lets tests produce invalid frames.
    /// </summary>
    /// <param name="destination">At least <see cref="GetHeaderLength"/> bytes; <see cref="MaxHeaderLength"/> always suffices.</param>
    /// <param name="opcode">The frame's opcode.</param>
    /// <param name="fin">This is the final frame of its message.</param>
    /// <param name="payloadLength">Payload bytes that will follow the header.</param>
    /// <param name="maskKey">Null for an unmasked (server) frame; otherwise the key in <see cref="FrameHeader.MaskKey"/> byte order.</param>
    /// <param name="rsv1">Sets RSV1 (permessage-deflate's "compressed" bit).</param>
    /// <returns>Bytes written.</returns>
    public static int WriteHeader(Span<byte> destination, Opcode opcode, bool fin, long payloadLength, uint? maskKey = null, bool rsv1 = false)
    {
        int headerLength = GetHeaderLength(payloadLength, maskKey.HasValue);
        if (destination.Length < headerLength)
        {
            throw new ArgumentException($"The header needs {headerLength} bytes.", nameof(destination));
        }

        destination[0] = (byte)((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | ((byte)opcode & 0x0F));
        byte maskBit = maskKey.HasValue ? (byte)0x80 : (byte)0;
        int offset;
        if (payloadLength <= 125)
        {
            destination[1] = (byte)(maskBit | (byte)payloadLength);
            offset = 2;
        }
        else if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = (byte)(maskBit | 126);
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
            offset = 4;
        }
        else
        {
            destination[1] = (byte)(maskBit | 127);
            BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
            offset = 10;
        }

        if (maskKey is { } key)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[offset..], key);
        }

        return headerLength;
    }
}
