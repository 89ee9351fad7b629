using System.Buffers.Binary;

namespace WsGateway.Benchmark;

/// <summary>
/// Client-side RFC 6455 framing, written apart from src/ so a bug there cannot hide itself here. A load generator may
/// mask with a fixed key (RFC 6455 10.3 is about hostile page scripts, not about us), so every frame is built once.
/// </summary>
internal static class ClientFrame
{
    public const byte Continuation = 0x0;
    public const byte Text = 0x1;
    public const byte Binary = 0x2;
    public const byte Close = 0x8;

    private static readonly byte[] MaskKey = [0x37, 0xfa, 0x21, 0x3d];

    /// <summary>One complete masked frame with FIN set.</summary>
    /// <param name="rsv1">Marks a permessage-deflate compressed message.</param>
    public static byte[] Build(byte opcode, ReadOnlySpan<byte> payload, bool rsv1 = false)
    {
        int lengthBytes = payload.Length switch { <= 125 => 0, <= ushort.MaxValue => 2, _ => 8 };
        var frame = new byte[2 + lengthBytes + 4 + payload.Length];
        frame[0] = (byte)(0x80 | (rsv1 ? 0x40 : 0) | opcode);
        switch (lengthBytes)
        {
            case 0:
                frame[1] = (byte)(0x80 | payload.Length);
                break;
            case 2:
                frame[1] = 0x80 | 126;
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
                break;
            default:
                frame[1] = 0x80 | 127;
                BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
                break;
        }

        int keyAt = 2 + lengthBytes;
        MaskKey.CopyTo(frame, keyAt);
        for (int i = 0; i < payload.Length; i++)
        {
            frame[keyAt + 4 + i] = (byte)(payload[i] ^ MaskKey[i & 3]);
        }

        return frame;
    }

    /// <summary>Overwrites part of the payload of a frame built by <see cref="Build"/>, masked like the rest.</summary>
    public static void Patch(byte[] frame, int payloadOffset, ReadOnlySpan<byte> bytes)
    {
        int length7 = frame[1] & 0x7f;
        int payloadStart = 2 + (length7 switch { 126 => 2, 127 => 8, _ => 0 }) + 4;
        for (int i = 0; i < bytes.Length; i++)
        {
            int at = payloadOffset + i;
            frame[payloadStart + at] = (byte)(bytes[i] ^ MaskKey[at & 3]);
        }
    }

    /// <summary>The payload bytes as they appear in a frame built by <see cref="Build"/>.</summary>
    public static byte[] Masked(ReadOnlySpan<byte> payload)
    {
        var masked = new byte[payload.Length];
        for (int i = 0; i < payload.Length; i++)
        {
            masked[i] = (byte)(payload[i] ^ MaskKey[i & 3]);
        }

        return masked;
    }
}
