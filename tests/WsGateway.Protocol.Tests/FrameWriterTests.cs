using System.Buffers;

namespace WsGateway.Protocol.Tests;

public sealed class FrameWriterTests
{
    [Theory]
    [InlineData(0L, false, 2)]
    [InlineData(125L, false, 2)]
    [InlineData(126L, false, 4)]
    [InlineData(65535L, false, 4)]
    [InlineData(65536L, false, 10)]
    [InlineData(long.MaxValue, false, 10)]
    [InlineData(0L, true, 6)]
    [InlineData(126L, true, 8)]
    [InlineData(65536L, true, 14)]
    public void Header_length_uses_the_minimal_length_encoding(long payloadLength, bool masked, int expected)
    {
        Assert.Equal(expected, FrameWriter.GetHeaderLength(payloadLength, masked));
    }

    [Fact]
    public void Negative_payload_length_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameWriter.GetHeaderLength(-1, masked: false));
    }

    [Fact]
    public void Unmasked_server_text_frame_matches_the_rfc_example()
    {
        // RFC 6455 5.7: a single-frame unmasked text message "Hello" starts 0x81 0x05.
        var buffer = new byte[FrameWriter.MaxHeaderLength];

        int written = FrameWriter.WriteHeader(buffer, Opcode.Text, fin: true, 5);

        Assert.Equal([0x81, 0x05], buffer[..written]);
    }

    [Fact]
    public void Sixteen_and_64_bit_lengths_are_written_big_endian()
    {
        var buffer = new byte[FrameWriter.MaxHeaderLength];

        int written = FrameWriter.WriteHeader(buffer, Opcode.Binary, fin: true, 256);
        Assert.Equal([0x82, 0x7E, 0x01, 0x00], buffer[..written]);

        written = FrameWriter.WriteHeader(buffer, Opcode.Binary, fin: false, 65536);
        Assert.Equal([0x02, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0], buffer[..written]);
    }

    [Fact]
    public void Mask_key_is_written_in_wire_order()
    {
        var buffer = new byte[FrameWriter.MaxHeaderLength];

        int written = FrameWriter.WriteHeader(buffer, Opcode.Text, fin: true, 5, maskKey: 0x3d21fa37);

        Assert.Equal([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d], buffer[..written]);
    }

    [Fact]
    public void Rsv1_sets_the_compressed_bit()
    {
        var buffer = new byte[FrameWriter.MaxHeaderLength];

        FrameWriter.WriteHeader(buffer, Opcode.Text, fin: true, 0, rsv1: true);

        Assert.Equal(0xC1, buffer[0]);
    }

    [Fact]
    public void Too_small_destination_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => FrameWriter.WriteHeader(new byte[3], Opcode.Binary, fin: true, 126));
    }

    public static TheoryData<Opcode, bool, long, uint?, bool> RoundTripCases()
    {
        var data = new TheoryData<Opcode, bool, long, uint?, bool>();
        long[] lengths = [0, 1, 125, 126, 127, 65535, 65536, uint.MaxValue + 1L, long.MaxValue];
        foreach (long length in lengths)
        {
            data.Add(Opcode.Binary, true, length, null, false);
            data.Add(Opcode.Text, false, length, 0xA1B2C3D4, true);
            data.Add(Opcode.Continuation, true, length, 0, false);
        }

        data.Add(Opcode.Close, true, 125, 0x01020304, false);
        data.Add(Opcode.Ping, true, 0, null, false);
        data.Add(Opcode.Pong, true, 17, 0xFFFFFFFF, false);
        return data;
    }

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void Written_header_round_trips_through_the_reader(Opcode opcode, bool fin, long payloadLength, uint? maskKey, bool rsv1)
    {
        var buffer = new byte[FrameWriter.MaxHeaderLength];
        int written = FrameWriter.WriteHeader(buffer, opcode, fin, payloadLength, maskKey, rsv1);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(buffer, 0, written));

        var status = FrameReader.TryReadHeader(ref reader, requireMask: false, allowRsv1: true, out var header, out var error);

        Assert.Equal(FrameReadStatus.Complete, status);
        Assert.Equal(FrameError.None, error);
        Assert.Equal(opcode, header.Opcode);
        Assert.Equal(fin, header.Fin);
        Assert.Equal(rsv1, header.Rsv1);
        Assert.Equal(payloadLength, header.PayloadLength);
        Assert.Equal(maskKey.HasValue, header.Masked);
        Assert.Equal(maskKey ?? 0, header.MaskKey);
        Assert.Equal(written, header.HeaderLength);
        Assert.Equal(FrameWriter.GetHeaderLength(payloadLength, maskKey.HasValue), written);
    }
}
