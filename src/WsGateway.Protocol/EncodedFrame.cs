using System.Text;

namespace WsGateway.Protocol;

/// <summary>
/// A complete server frame (header and payload), encoded once and sent as the same bytes to many connections: a
/// broadcast pays for UTF-8 encoding and header writing once, not once per recipient.
/// </summary>
public sealed class EncodedFrame
{
    private EncodedFrame? _compressed;

    private EncodedFrame(Opcode opcode, byte[] bytes, int payloadLength)
    {
        Opcode = opcode;
        Bytes = bytes;
        PayloadLength = payloadLength;
    }

    public Opcode Opcode { get; }

    /// <summary>The frame as it goes on the wire (unmasked, FIN set).</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    public int PayloadLength { get; }

    /// <summary>
    /// The same message compressed for permessage-deflate (RSV1 set), made once on first use and shared by every
    /// recipient that negotiated the extension: it is compressed without context, which each of them can inflate.
    /// </summary>
    public EncodedFrame Compressed
    {
        get
        {
            if (Volatile.Read(ref _compressed) is { } compressed)
            {
                return compressed;
            }

            // Two first users may both compress; one result is kept, the other dropped.
            var made = Compress();
            return Interlocked.CompareExchange(ref _compressed, made, null) ?? made;
        }
    }

    /// <summary>An unfragmented text frame holding <paramref name="text"/> as UTF-8.</summary>
    public static EncodedFrame Text(string text)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        var bytes = new byte[FrameWriter.GetHeaderLength(length, masked: false) + length];
        int headerLength = FrameWriter.WriteHeader(bytes, Opcode.Text, fin: true, length);
        Encoding.UTF8.GetBytes(text, bytes.AsSpan(headerLength));
        return new EncodedFrame(Opcode.Text, bytes, length);
    }

    private EncodedFrame Compress()
    {
        var payload = Bytes.Span[FrameWriter.GetHeaderLength(PayloadLength, masked: false)..];
        var compressed = MessageDeflater.Compress(payload, out int length);
        try
        {
            var bytes = new byte[FrameWriter.GetHeaderLength(length, masked: false) + length];
            int headerLength = FrameWriter.WriteHeader(bytes, Opcode, fin: true, length, rsv1: true);
            compressed.AsSpan(0, length).CopyTo(bytes.AsSpan(headerLength));
            return new EncodedFrame(Opcode, bytes, length);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(compressed);
        }
    }
}
