using System.Buffers;

namespace WsGateway.Protocol.Tests;

public sealed class FrameReaderTests
{
    private const uint MaskKey = 0x44332211;

    private static byte[] Header(Opcode opcode, bool fin, long payloadLength, uint? maskKey = MaskKey, bool rsv1 = false)
    {
        var buffer = new byte[FrameWriter.MaxHeaderLength];
        int length = FrameWriter.WriteHeader(buffer, opcode, fin, payloadLength, maskKey, rsv1);
        return buffer[..length];
    }

    private static (FrameReadStatus Status, FrameHeader Header, FrameError Error, long Consumed) Read(
        ReadOnlySequence<byte> sequence, bool requireMask = true, bool allowRsv1 = false)
    {
        var reader = new SequenceReader<byte>(sequence);
        var status = FrameReader.TryReadHeader(ref reader, requireMask, allowRsv1, out var header, out var error);
        return (status, header, error, reader.Consumed);
    }

    private static (FrameReadStatus Status, FrameHeader Header, FrameError Error, long Consumed) Read(
        byte[] bytes, bool requireMask = true, bool allowRsv1 = false) => Read(new ReadOnlySequence<byte>(bytes), requireMask, allowRsv1);

    [Theory]
    [InlineData(0L, 6)]
    [InlineData(1L, 6)]
    [InlineData(125L, 6)]
    [InlineData(126L, 8)]
    [InlineData(65535L, 8)]
    [InlineData(65536L, 14)]
    [InlineData(int.MaxValue + 1L, 14)]
    [InlineData(long.MaxValue, 14)]
    public void Masked_header_reads_7_16_and_64_bit_lengths_at_their_boundaries(long payloadLength, int headerLength)
    {
        byte[] bytes = Header(Opcode.Binary, fin: true, payloadLength);

        var (status, header, error, consumed) = Read(bytes);

        Assert.Equal(FrameReadStatus.Complete, status);
        Assert.Equal(FrameError.None, error);
        Assert.Equal(payloadLength, header.PayloadLength);
        Assert.Equal(headerLength, header.HeaderLength);
        Assert.Equal(headerLength, consumed);
        Assert.True(header.Fin);
        Assert.True(header.Masked);
        Assert.Equal(MaskKey, header.MaskKey);
        Assert.Equal(Opcode.Binary, header.Opcode);
        Assert.False(header.IsControl);
    }

    [Fact]
    public void Rfc_example_single_frame_masked_hello_parses()
    {
        // RFC 6455 5.7: a single-frame masked text message containing "Hello".
        byte[] bytes = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];

        var (status, header, _, consumed) = Read(bytes);

        Assert.Equal(FrameReadStatus.Complete, status);
        Assert.Equal(Opcode.Text, header.Opcode);
        Assert.Equal(5, header.PayloadLength);
        Assert.Equal(6, consumed);
        byte[] payload = bytes[6..];
        Masking.Apply(payload, header.MaskKey, 0);
        Assert.Equal("Hello"u8.ToArray(), payload);
    }

    [Fact]
    public void Unmasked_header_is_read_when_mask_is_not_required()
    {
        var (status, header, _, consumed) = Read(Header(Opcode.Text, fin: false, 300, maskKey: null), requireMask: false);

        Assert.Equal(FrameReadStatus.Complete, status);
        Assert.False(header.Masked);
        Assert.Equal(0u, header.MaskKey);
        Assert.False(header.Fin);
        Assert.Equal(300, header.PayloadLength);
        Assert.Equal(4, consumed);
    }

    [Fact]
    public void Reader_advances_past_the_header_but_not_the_payload()
    {
        byte[] frame = [.. Header(Opcode.Text, fin: true, 3), 1, 2, 3];
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(frame));

        FrameReader.TryReadHeader(ref reader, requireMask: true, allowRsv1: false, out var header, out _);

        Assert.Equal(header.HeaderLength, reader.Consumed);
        Assert.Equal(3, reader.Remaining);
    }

    [Theory]
    [InlineData(10L)]
    [InlineData(200L)]
    [InlineData(70000L)]
    public void Header_split_at_every_position_across_two_segments_parses(long payloadLength)
    {
        byte[] bytes = Header(Opcode.Binary, fin: true, payloadLength);
        for (int at = 0; at <= bytes.Length; at++)
        {
            var (status, header, _, consumed) = Read(Sequences.SplitAt(bytes, at));

            Assert.Equal(FrameReadStatus.Complete, status);
            Assert.Equal(payloadLength, header.PayloadLength);
            Assert.Equal(MaskKey, header.MaskKey);
            Assert.Equal(bytes.Length, consumed);
        }
    }

    [Fact]
    public void Header_delivered_one_byte_per_segment_parses()
    {
        byte[] bytes = Header(Opcode.Text, fin: true, 65536);

        var (status, header, _, consumed) = Read(Sequences.ByteByByte(bytes));

        Assert.Equal(FrameReadStatus.Complete, status);
        Assert.Equal(65536, header.PayloadLength);
        Assert.Equal(14, consumed);
    }

    [Theory]
    [InlineData(5L)]
    [InlineData(126L)]
    [InlineData(65536L)]
    public void Every_truncated_prefix_needs_more_data_and_does_not_advance(long payloadLength)
    {
        byte[] bytes = Header(Opcode.Binary, fin: true, payloadLength);
        for (int length = 0; length < bytes.Length; length++)
        {
            var (status, _, error, consumed) = Read(Sequences.ByteByByte(bytes[..length]));

            Assert.Equal(FrameReadStatus.NeedMoreData, status);
            Assert.Equal(FrameError.None, error);
            Assert.Equal(0, consumed);
        }
    }

    [Theory]
    [InlineData(0x40)]
    [InlineData(0x20)]
    [InlineData(0x10)]
    public void Reserved_bit_fails_with_ReservedBitsSet(byte bit)
    {
        byte[] bytes = Header(Opcode.Text, fin: true, 1);
        bytes[0] |= bit;

        var (status, _, error, consumed) = Read(bytes);

        Assert.Equal(FrameReadStatus.Error, status);
        Assert.Equal(FrameError.ReservedBitsSet, error);
        Assert.Equal(0, consumed);
    }

    [Theory]
    [InlineData(Opcode.Text)]
    [InlineData(Opcode.Binary)]
    public void Rsv1_on_a_data_frame_is_accepted_when_allowed(Opcode opcode)
    {
        var (status, header, _, _) = Read(Header(opcode, fin: false, 1, rsv1: true), allowRsv1: true);

        Assert.Equal(FrameReadStatus.Complete, status);
        Assert.True(header.Rsv1);
    }

    [Theory]
    [InlineData(Opcode.Continuation)]
    [InlineData(Opcode.Ping)]
    [InlineData(Opcode.Close)]
    public void Rsv1_on_a_continuation_or_control_frame_fails_even_when_allowed(Opcode opcode)
    {
        var (status, _, error, _) = Read(Header(opcode, fin: true, 1, rsv1: true), allowRsv1: true);

        Assert.Equal(FrameReadStatus.Error, status);
        Assert.Equal(FrameError.ReservedBitsSet, error);
    }

    [Fact]
    public void Rsv2_fails_even_when_rsv1_is_allowed()
    {
        byte[] bytes = Header(Opcode.Text, fin: true, 1);
        bytes[0] |= 0x20;

        Assert.Equal(FrameError.ReservedBitsSet, Read(bytes, allowRsv1: true).Error);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)]
    public void Reserved_opcode_fails_with_ReservedOpcode(byte opcode)
    {
        var (status, _, error, _) = Read(Header((Opcode)opcode, fin: true, 0));

        Assert.Equal(FrameReadStatus.Error, status);
        Assert.Equal(FrameError.ReservedOpcode, error);
    }

    [Fact]
    public void Unmasked_client_frame_fails_with_UnmaskedFrame()
    {
        var (status, _, error, _) = Read(Header(Opcode.Text, fin: true, 5, maskKey: null), requireMask: true);

        Assert.Equal(FrameReadStatus.Error, status);
        Assert.Equal(FrameError.UnmaskedFrame, error);
    }

    [Theory]
    [InlineData(Opcode.Close)]
    [InlineData(Opcode.Ping)]
    [InlineData(Opcode.Pong)]
    public void Control_frame_of_125_bytes_is_accepted(Opcode opcode)
    {
        var (status, header, _, _) = Read(Header(opcode, fin: true, 125));

        Assert.Equal(FrameReadStatus.Complete, status);
        Assert.True(header.IsControl);
    }

    [Theory]
    [InlineData(Opcode.Close, 126L)]
    [InlineData(Opcode.Ping, 126L)]
    [InlineData(Opcode.Pong, 65536L)]
    public void Control_frame_over_125_bytes_fails_with_ControlFrameTooLong(Opcode opcode, long payloadLength)
    {
        var (status, _, error, _) = Read(Header(opcode, fin: true, payloadLength));

        Assert.Equal(FrameReadStatus.Error, status);
        Assert.Equal(FrameError.ControlFrameTooLong, error);
    }

    [Fact]
    public void Control_frame_too_long_fails_from_the_first_two_bytes_without_waiting_for_the_length()
    {
        byte[] bytes = Header(Opcode.Ping, fin: true, 1000);

        Assert.Equal(FrameError.ControlFrameTooLong, Read(bytes[..2]).Error);
    }

    [Theory]
    [InlineData(Opcode.Close)]
    [InlineData(Opcode.Ping)]
    [InlineData(Opcode.Pong)]
    public void Control_frame_without_fin_fails_with_ControlFrameFragmented(Opcode opcode)
    {
        var (status, _, error, _) = Read(Header(opcode, fin: false, 3));

        Assert.Equal(FrameReadStatus.Error, status);
        Assert.Equal(FrameError.ControlFrameFragmented, error);
    }

    [Fact]
    public void Sixty_four_bit_length_with_the_top_bit_set_fails_with_PayloadLengthOutOfRange()
    {
        byte[] bytes = [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4];

        var (status, _, error, consumed) = Read(bytes);

        Assert.Equal(FrameReadStatus.Error, status);
        Assert.Equal(FrameError.PayloadLengthOutOfRange, error);
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void Error_in_the_first_byte_is_reported_before_the_rest_of_the_header_arrives()
    {
        byte[] bytes = Header(Opcode.Binary, fin: true, 70000);
        bytes[0] |= 0x40;

        Assert.Equal(FrameReadStatus.Error, Read(bytes[..2]).Status);
    }

    [Fact]
    public void Frames_are_read_back_to_back_from_one_buffer()
    {
        byte[] bytes = [.. Header(Opcode.Text, fin: false, 0), .. Header(Opcode.Ping, fin: true, 0), .. Header(Opcode.Continuation, fin: true, 0)];
        var reader = new SequenceReader<byte>(Sequences.SplitAt(bytes, 7));
        var opcodes = new List<Opcode>();

        while (FrameReader.TryReadHeader(ref reader, requireMask: true, allowRsv1: false, out var header, out _) == FrameReadStatus.Complete)
        {
            opcodes.Add(header.Opcode);
        }

        Assert.Equal([Opcode.Text, Opcode.Ping, Opcode.Continuation], opcodes);
        Assert.Equal(0, reader.Remaining);
    }
}
