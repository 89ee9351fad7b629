using System.Text;

namespace WsGateway.Protocol;

/// <summary>
/// A complete server frame (header and payload), encoded once and sent as the same bytes to many connections: a
/// broadcast pays for UTF-8 encoding and header writing once, not once per recipient.
/// </summary>
public sealed class EncodedFrame
{
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

    /// <summary>An unfragmented text frame holding <paramref name="text"/> as UTF-8.</summary>
    public static EncodedFrame Text(string text)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        var bytes = new byte[FrameWriter.GetHeaderLength(length, masked: false) + length];
        int headerLength = FrameWriter.WriteHeader(bytes, Opcode.Text, fin: true, length);
        Encoding.UTF8.GetBytes(text, bytes.AsSpan(headerLength));
        return new EncodedFrame(Opcode.Text, bytes, length);
    }
}
