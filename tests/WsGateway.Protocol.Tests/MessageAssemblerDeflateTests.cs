using System.IO.Compression;
using System.Text;

namespace WsGateway.Protocol.Tests;

/// <summary>permessage-deflate in the assembler: RSV1 messages inflated before the size limit and the UTF-8 check.</summary>
public sealed partial class MessageAssemblerTests
{
    private static MessageAssembler Deflating(bool contextTakeover = false) => new(new MessageInflater(contextTakeover));

    /// <summary>Compressed as a client compresses: on its own, sync-flushed, the 00 00 FF FF tail removed.</summary>
    private static byte[] Compressed(string text) => Compressed(Encoding.UTF8.GetBytes(text));

    private static byte[] Compressed(byte[] payload)
    {
        var buffer = MessageDeflater.Compress(payload, out int length);
        return buffer[..length];
    }

    [Fact]
    public void Rsv1_message_is_inflated_when_permessage_deflate_was_negotiated()
    {
        var text = string.Concat(Enumerable.Repeat("{\"command\":\"hello\"} ", 40));
        var compressed = Compressed(text);
        Assert.True(compressed.Length < text.Length / 4);

        var step = Run(Deflating(), [Frame(Opcode.Text, true, compressed, rsv1: true)]).Single();

        Assert.Equal(new Step(AssembleStatus.Message, Opcode.Text, text, FrameError.None), step);
    }

    [Fact]
    public void Uncompressed_messages_still_pass_when_the_extension_was_negotiated()
    {
        Assert.Equal("plain", Run(Deflating(), [Text("plain")]).Single().Payload);
    }

    [Fact]
    public void Compressed_message_in_fragments_split_at_every_byte_is_inflated_whole()
    {
        var text = string.Concat(Enumerable.Range(0, 200).Select(i => $"line {i}; "));
        var compressed = Compressed(text);
        int third = compressed.Length / 3;
        byte[] wire =
        [
            .. Frame(Opcode.Text, false, compressed[..third], rsv1: true),
            .. Frame(Opcode.Ping, true, "p"u8.ToArray()),
            .. Frame(Opcode.Continuation, false, compressed[third..(2 * third)]),
            .. Frame(Opcode.Continuation, true, compressed[(2 * third)..]),
        ];

        for (int split = 1; split < wire.Length; split++)
        {
            var steps = Run(Deflating(), [wire[..split], wire[split..]], max: 100_000);
            Assert.Equal([AssembleStatus.Control, AssembleStatus.Message], steps.Select(s => s.Status));
            Assert.Equal(text, steps[1].Payload);
        }
    }

    [Fact]
    public void Rsv1_on_a_continuation_or_a_control_frame_is_an_error()
    {
        var compressed = Compressed("fragmented");
        var continuation = Run(Deflating(), [Frame(Opcode.Text, false, compressed[..2], rsv1: true), Frame(Opcode.Continuation, true, compressed[2..], rsv1: true)]);
        Assert.Equal(FrameError.ReservedBitsSet, continuation.Last().Error);

        Assert.Equal(FrameError.ReservedBitsSet, Run(Deflating(), [Frame(Opcode.Ping, true, [], rsv1: true)]).Single().Error);
    }

    [Fact]
    public void Decompression_bomb_fails_with_message_too_big_once_the_limit_is_passed()
    {
        // 10 MiB of zeros, compressed as hard as zlib can: about 10 KB on the wire.
        var output = new MemoryStream();
        using var deflater = new DeflateStream(output, CompressionLevel.SmallestSize);
        deflater.Write(new byte[10 * 1024 * 1024]);
        deflater.Flush();
        var bomb = output.ToArray()[..^4];
        Assert.True(bomb.Length < 64 * 1024, $"{bomb.Length} compressed bytes");

        var step = Run(Deflating(), [Frame(Opcode.Binary, true, bomb, rsv1: true)], max: 100_000).Single();

        Assert.Equal(FrameError.MessageTooBig, step.Error);
    }

    [Fact]
    public void Message_inflating_to_exactly_the_limit_is_accepted()
    {
        var payload = new string('a', 1000);
        Assert.Equal(payload, Run(Deflating(), [Frame(Opcode.Text, true, Compressed(payload), rsv1: true)], max: 1000).Single().Payload);
        Assert.Equal(FrameError.MessageTooBig, Run(Deflating(), [Frame(Opcode.Text, true, Compressed(payload + "a"), rsv1: true)], max: 1000).Single().Error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(200)]
    public void Tiny_limits_hold_for_compressed_messages(long max)
    {
        // Found by the fuzzer: a limit below the inflater's first buffer size once made it throw.
        var step = Run(Deflating(), [Frame(Opcode.Text, true, Compressed(new string('a', 300)), rsv1: true)], max).Single();

        Assert.Equal(FrameError.MessageTooBig, step.Error);
    }

    [Fact]
    public void Compressed_text_that_is_not_utf8_fails_with_invalid_utf8()
    {
        var step = Run(Deflating(), [Frame(Opcode.Text, true, Compressed([0x68, 0x69, 0xC0, 0xAF]), rsv1: true)]).Single();

        Assert.Equal(FrameError.InvalidUtf8, step.Error);
    }

    [Fact]
    public void Bytes_that_do_not_inflate_fail_with_invalid_compressed_data()
    {
        Assert.Equal(FrameError.InvalidCompressedData, Run(Deflating(), [Frame(Opcode.Text, true, [0xFF, 0xFF, 0xFF, 0xFF], rsv1: true)]).Single().Error);
    }

    [Fact]
    public void With_context_takeover_a_message_may_refer_back_to_the_previous_one()
    {
        // The client keeps one deflater across messages, as it may when client context takeover was agreed.
        var text = "the same sentence, sent twice by a chatty client";
        var output = new MemoryStream();
        var deflater = new DeflateStream(output, CompressionLevel.Optimal);
        var messages = new List<byte[]>();
        for (int i = 0; i < 2; i++)
        {
            long start = output.Length;
            deflater.Write(Encoding.UTF8.GetBytes(text));
            deflater.Flush();
            messages.Add(output.ToArray()[(int)start..^4]);
        }

        Assert.True(messages[1].Length < messages[0].Length / 2, "the second message should refer back to the first");
        var frames = messages.Select(m => Frame(Opcode.Text, true, m, rsv1: true)).ToArray();

        var kept = Run(Deflating(contextTakeover: true), frames);
        Assert.Equal([text, text], kept.Select(s => s.Payload));

        // An inflater that does not keep its context cannot resolve the reference.
        var dropped = Run(Deflating(contextTakeover: false), frames);
        Assert.Equal(FrameError.InvalidCompressedData, dropped.Last().Error);
    }
}
