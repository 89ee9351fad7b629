using System.Buffers;
using System.Buffers.Binary;

namespace WsGateway.Protocol;

/// <summary>Parses RFC 6455 frame headers (section 5.2) out of a byte sequence without consuming the payload.</summary>
public static class FrameReader
{
    /// <summary>Largest payload a control frame may carry (RFC 6455 5.5).</summary>
    public const int MaxControlPayloadLength = 125;

    /// <summary>
    /// Parses one frame header. On <see cref="FrameReadStatus.Complete"/> advances <paramref name="reader"/> past the
    /// header (not the payload); on <see cref="FrameReadStatus.NeedMoreData"/> and <see cref="FrameReadStatus.Error"/>
    /// the reader is not advanced.
    /// </summary>
    /// <remarks>
    /// Errors that the first two bytes already prove are reported without waiting for the extended length or the mask,
    /// so a peer cannot park a broken frame on us. Non-minimal length encodings are accepted (as most stacks do) except
    /// that a control frame using the 16/64-bit form is always <see cref="FrameError.ControlFrameTooLong"/>.
    /// </remarks>
    /// <param name="reader">Positioned at the first header byte.</param>
    /// <param name="requireMask">True on the server: clients MUST mask (RFC 6455 5.1).</param>
    /// <param name="allowRsv1">
    /// True when an extension that defines RSV1 (permessage-deflate) was negotiated; RSV1 is then accepted on Text and
    /// Binary frames only.
    /// </param>
    /// <param name="header">The header when <see cref="FrameReadStatus.Complete"/>, otherwise default.</param>
    /// <param name="error">Why the header is invalid when <see cref="FrameReadStatus.Error"/>, otherwise <see cref="FrameError.None"/>.</param>
    public static FrameReadStatus TryReadHeader(ref SequenceReader<byte> reader, bool requireMask, bool allowRsv1, out FrameHeader header, out FrameError error)
    {
        header = default;
        error = FrameError.None;

        Span<byte> buffer = stackalloc byte[FrameWriter.MaxHeaderLength];
        if (!reader.TryCopyTo(buffer[..2]))
        {
            return FrameReadStatus.NeedMoreData;
        }

        byte b0 = buffer[0];
        byte b1 = buffer[1];
        bool fin = (b0 & 0x80) != 0;
        bool rsv1 = (b0 & 0x40) != 0;
        bool rsv2 = (b0 & 0x20) != 0;
        bool rsv3 = (b0 & 0x10) != 0;
        var opcode = (Opcode)(b0 & 0x0F);
        bool masked = (b1 & 0x80) != 0;
        int length7 = b1 & 0x7F;

        // RFC 7692 6.1: even with permessage-deflate, RSV1 is only legal on the first frame of a data message.
        bool rsv1Allowed = allowRsv1 && (opcode is Opcode.Text or Opcode.Binary);
        error = CheckFirstTwoBytes(fin, rsv1 && !rsv1Allowed, rsv2 || rsv3, opcode, masked, requireMask, length7);
        if (error != FrameError.None)
        {
            return FrameReadStatus.Error;
        }

        int extendedLengthBytes = length7 switch { 126 => 2, 127 => 8, _ => 0 };
        int headerLength = 2 + extendedLengthBytes + (masked ? 4 : 0);
        if (reader.Remaining < headerLength)
        {
            return FrameReadStatus.NeedMoreData;
        }

        buffer = buffer[..headerLength];
        if (!reader.TryCopyTo(buffer))
        {
            return FrameReadStatus.NeedMoreData;
        }

        long payloadLength = extendedLengthBytes switch
        {
            2 => BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]),
            8 => (long)BinaryPrimitives.ReadUInt64BigEndian(buffer[2..]),
            _ => length7,
        };
        if (payloadLength < 0)
        {
            // RFC 6455 5.2: "the most significant bit MUST be 0".
            error = FrameError.PayloadLengthOutOfRange;
            return FrameReadStatus.Error;
        }

        uint maskKey = masked ? BinaryPrimitives.ReadUInt32LittleEndian(buffer[(2 + extendedLengthBytes)..]) : 0;
        header = new FrameHeader(fin, rsv1, rsv2, rsv3, opcode, masked, maskKey, payloadLength, headerLength);
        reader.Advance(headerLength);
        return FrameReadStatus.Complete;
    }

    private static FrameError CheckFirstTwoBytes(bool fin, bool rsv1NotAllowed, bool rsv2Or3, Opcode opcode, bool masked, bool requireMask, int length7)
    {
        if (rsv1NotAllowed || rsv2Or3)
        {
            return FrameError.ReservedBitsSet;
        }

        bool isControl;
        switch (opcode)
        {
            case Opcode.Continuation or Opcode.Text or Opcode.Binary:
                isControl = false;
                break;
            case Opcode.Close or Opcode.Ping or Opcode.Pong:
                isControl = true;
                break;
            default:
                return FrameError.ReservedOpcode;
        }

        if (requireMask && !masked)
        {
            return FrameError.UnmaskedFrame;
        }

        if (isControl)
        {
            if (!fin)
            {
                return FrameError.ControlFrameFragmented;
            }

            if (length7 > MaxControlPayloadLength)
            {
                return FrameError.ControlFrameTooLong;
            }
        }

        return FrameError.None;
    }
}
