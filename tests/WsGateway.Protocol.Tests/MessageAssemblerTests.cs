using System.Buffers;
using System.Text;

namespace WsGateway.Protocol.Tests;

public sealed partial class MessageAssemblerTests
{
    private const uint MaskKey = 0x9A8B7C6D;
    private const long Max = 1000;

    private static byte[] Frame(Opcode opcode, bool fin, byte[] payload, bool masked = true, bool rsv1 = false)
    {
        var bytes = new byte[FrameWriter.MaxHeaderLength + payload.Length];
        int header = FrameWriter.WriteHeader(bytes, opcode, fin, payload.Length, masked ? MaskKey : null, rsv1);
        payload.CopyTo(bytes, header);
        if (masked)
        {
            Masking.Apply(bytes.AsSpan(header, payload.Length), MaskKey, 0);
        }

        return bytes[..(header + payload.Length)];
    }

    private static byte[] Text(string text, bool fin = true) => Frame(Opcode.Text, fin, Encoding.UTF8.GetBytes(text));

    private sealed record Step(AssembleStatus Status, Opcode Opcode, string Payload, FrameError Error);

    /// <summary>Feeds the chunks the way the receive loop does: unconsumed bytes stay buffered for the next read.</summary>
    private static List<Step> Run(MessageAssembler assembler, IEnumerable<byte[]> chunks, long max = Max)
    {
        var steps = new List<Step>();
        byte[] pending = [];
        foreach (var chunk in chunks)
        {
            var buffer = new ReadOnlySequence<byte>([.. pending, .. chunk]);
            while (true)
            {
                var status = assembler.TryAssemble(ref buffer, max, out var error);
                if (status == AssembleStatus.NeedMoreData)
                {
                    break;
                }

                steps.Add(status switch
                {
                    AssembleStatus.Message => new Step(status, assembler.MessageOpcode, Encoding.UTF8.GetString(assembler.Message.Span), error),
                    AssembleStatus.Control => new Step(status, assembler.ControlOpcode, Encoding.UTF8.GetString(assembler.Control.Span), error),
                    _ => new Step(status, default, "", error),
                });
                if (status == AssembleStatus.Error)
                {
                    return steps;
                }
            }

            pending = buffer.ToArray();
            assembler.ReleaseBuffers();
        }

        return steps;
    }

    private static List<Step> Run(params byte[][] chunks) => Run(new MessageAssembler(), chunks);

    [Fact]
    public void Rfc_example_masked_hello_is_one_text_message()
    {
        // RFC 6455 5.7: a single-frame masked text message containing "Hello".
        byte[] bytes = [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58];

        var steps = Run(bytes);

        Assert.Equal([new Step(AssembleStatus.Message, Opcode.Text, "Hello", FrameError.None)], steps);
    }

    [Fact]
    public void Several_messages_in_one_read_come_out_one_at_a_time_in_order()
    {
        var steps = Run([.. Text("one"), .. Text("two"), .. Frame(Opcode.Ping, true, "p"u8.ToArray()), .. Text("three")]);

        Assert.Equal(
            [
                new Step(AssembleStatus.Message, Opcode.Text, "one", FrameError.None),
                new Step(AssembleStatus.Message, Opcode.Text, "two", FrameError.None),
                new Step(AssembleStatus.Control, Opcode.Ping, "p", FrameError.None),
                new Step(AssembleStatus.Message, Opcode.Text, "three", FrameError.None),
            ],
            steps);
    }

    [Fact]
    public void Fragments_with_a_ping_between_them_make_one_message_after_the_ping()
    {
        byte[] stream =
        [
            .. Frame(Opcode.Binary, fin: false, "ab"u8.ToArray()),
            .. Frame(Opcode.Ping, fin: true, "hi"u8.ToArray()),
            .. Frame(Opcode.Continuation, fin: false, "cd"u8.ToArray()),
            .. Frame(Opcode.Continuation, fin: true, "ef"u8.ToArray()),
        ];

        var steps = Run(stream);

        Assert.Equal(
            [
                new Step(AssembleStatus.Control, Opcode.Ping, "hi", FrameError.None),
                new Step(AssembleStatus.Message, Opcode.Binary, "abcdef", FrameError.None),
            ],
            steps);
    }

    [Fact]
    public void Every_split_position_gives_the_same_messages()
    {
        byte[] stream =
        [
            .. Text("zażółć ", fin: false),
            .. Frame(Opcode.Pong, true, [1, 2, 3]),
            .. Frame(Opcode.Continuation, true, Encoding.UTF8.GetBytes("gęślą jaźń")),
            .. Frame(Opcode.Binary, true, new byte[300]),
            .. Frame(Opcode.Close, true, [0x03, 0xE8]),
        ];
        var whole = Run(stream);
        Assert.Equal(4, whole.Count);
        Assert.Equal("zażółć gęślą jaźń", whole[1].Payload);

        for (int at = 1; at < stream.Length; at++)
        {
            Assert.Equal(whole, Run(new MessageAssembler(), [stream[..at], stream[at..]]));
        }

        Assert.Equal(whole, Run(new MessageAssembler(), stream.Select(b => new[] { b })));
    }

    [Fact]
    public void Invalid_utf8_fails_at_the_first_impossible_byte_before_the_frame_ends()
    {
        byte[] frame = Frame(Opcode.Text, true, [.. "ok"u8, 0xFF, .. "never arrives"u8]);
        int headerLength = 6;

        // Only the header and the first three payload bytes have arrived.
        var steps = Run(frame[..(headerLength + 3)]);

        Assert.Equal([new Step(AssembleStatus.Error, default, "", FrameError.InvalidUtf8)], steps);
    }

    [Fact]
    public void Text_that_ends_inside_a_utf8_sequence_fails_at_fin()
    {
        var steps = Run(Frame(Opcode.Text, true, [0x61, 0xC3]));

        Assert.Equal(FrameError.InvalidUtf8, steps.Single().Error);
    }

    [Fact]
    public void Binary_messages_are_not_utf8_checked()
    {
        using var assembler = new MessageAssembler();
        var buffer = new ReadOnlySequence<byte>(Frame(Opcode.Binary, true, [0xFF, 0xFE]));

        var status = assembler.TryAssemble(ref buffer, Max, out _);

        Assert.Equal(AssembleStatus.Message, status);
        Assert.Equal(new byte[] { 0xFF, 0xFE }, assembler.Message.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Size_limit_counts_every_fragment_and_fails_at_the_header_that_crosses_it()
    {
        byte[] stream =
        [
            .. Frame(Opcode.Text, false, Encoding.ASCII.GetBytes(new string('a', 6))),
            .. Frame(Opcode.Continuation, true, Encoding.ASCII.GetBytes(new string('b', 5))),
        ];

        // The second header alone is enough to know: its payload is never waited for.
        var steps = Run(new MessageAssembler(), [stream[..(6 + 6 + 6)]], max: 10);

        Assert.Equal([new Step(AssembleStatus.Error, default, "", FrameError.MessageTooBig)], steps);
        Assert.Equal(AssembleStatus.Message, Run(new MessageAssembler(), [stream], max: 11).Single().Status);
    }

    [Fact]
    public void Unmasked_client_frame_is_an_error()
    {
        var steps = Run(Frame(Opcode.Text, true, "x"u8.ToArray(), masked: false));

        Assert.Equal(FrameError.UnmaskedFrame, steps.Single().Error);
    }

    [Fact]
    public void Rsv1_is_an_error_unless_an_extension_allows_it()
    {
        byte[] frame = Frame(Opcode.Text, true, "x"u8.ToArray(), rsv1: true);

        Assert.Equal(FrameError.ReservedBitsSet, Run(frame).Single().Error);
        byte[] compressed = Frame(Opcode.Text, true, Compressed("x"), rsv1: true);
        Assert.Equal("x", Run(new MessageAssembler(new MessageInflater(false)), [compressed]).Single().Payload);
    }

    [Fact]
    public void Continuation_without_a_message_is_an_error()
    {
        Assert.Equal(FrameError.UnexpectedContinuation, Run(Frame(Opcode.Continuation, true, "x"u8.ToArray())).Single().Error);
    }

    [Fact]
    public void Releasing_buffers_mid_message_keeps_what_was_received()
    {
        var assembler = new MessageAssembler();
        byte[] first = Text("first half, ", fin: false);
        byte[] second = Frame(Opcode.Continuation, true, "second half"u8.ToArray());

        // Run releases buffers after every chunk; mid-message it must keep them.
        var steps = Run(assembler, [first[..5], first[5..], second]);

        Assert.Equal("first half, second half", steps.Single().Payload);
        Assert.False(assembler.InProgress);
    }

    [Fact]
    public void Empty_message_and_empty_control_frame_are_delivered()
    {
        var steps = Run([.. Frame(Opcode.Text, true, []), .. Frame(Opcode.Ping, true, [])]);

        Assert.Equal(
            [
                new Step(AssembleStatus.Message, Opcode.Text, "", FrameError.None),
                new Step(AssembleStatus.Control, Opcode.Ping, "", FrameError.None),
            ],
            steps);
    }
}
