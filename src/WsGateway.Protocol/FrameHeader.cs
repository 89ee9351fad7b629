namespace WsGateway.Protocol;

/// <summary>A parsed (or to-be-written) RFC 6455 base framing header, section 5.2.</summary>
public readonly struct FrameHeader
{
    /// <summary>Creates a header; no protocol rules are checked here (that is <see cref="FrameReader"/>'s job).</summary>
    public FrameHeader(bool fin, bool rsv1, bool rsv2, bool rsv3, Opcode opcode, bool masked, uint maskKey, long payloadLength, int headerLength)
    {
        Fin = fin;
        Rsv1 = rsv1;
        Rsv2 = rsv2;
        Rsv3 = rsv3;
        Opcode = opcode;
        Masked = masked;
        MaskKey = maskKey;
        PayloadLength = payloadLength;
        HeaderLength = headerLength;
    }

    /// <summary>This is the final frame of its message.</summary>
    public bool Fin { get; }

    /// <summary>RSV1; per-message compressed when permessage-deflate is negotiated (RFC 7692).</summary>
    public bool Rsv1 { get; }

    /// <summary>RSV2; no extension we support defines it.</summary>
    public bool Rsv2 { get; }

    /// <summary>RSV3; no extension we support defines it.</summary>
    public bool Rsv3 { get; }

    /// <summary>The frame's opcode.</summary>
    public Opcode Opcode { get; }

    /// <summary>The payload is masked with <see cref="MaskKey"/>.</summary>
    public bool Masked { get; }

    /// <summary>
    /// The 4 mask bytes read little-endian, so that on little-endian machines the low byte is the mask byte for payload
    /// byte 0 and <see cref="Masking.Apply"/> can XOR it against memory-order data. Zero when not <see cref="Masked"/>.
    /// </summary>
    public uint MaskKey { get; }

    /// <summary>Payload bytes that follow the header (0..2^63-1).</summary>
    public long PayloadLength { get; }

    /// <summary>Bytes the header takes on the wire: 2..14.</summary>
    public int HeaderLength { get; }

    /// <summary>Close, Ping or Pong (opcode &gt;= 8): at most 125 bytes, never fragmented, may interleave a message.</summary>
    public bool IsControl => (byte)Opcode >= 8;
}
