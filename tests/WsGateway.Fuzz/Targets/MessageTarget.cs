using System.Buffers;
using System.Text.Unicode;
using WsGateway.Protocol;
using static WsGateway.Fuzz.FuzzInvariantException;

namespace WsGateway.Fuzz;

/// <summary>
/// <see cref="MessageAssembler"/> as a connection drives it: bytes arrive a few at a time, in segments, and buffers are
/// released while waiting. The same bytes are assembled once that way and once all at once: both must yield the same
/// messages, control frames and error. Messages stay within the limit, text is valid UTF-8, and memory grows with the
/// bytes received, never with the lengths that headers claim.
/// Input: [flags: bit 0 permessage-deflate, bits 1-2 the message limit, bit 3 client context takeover] [segment length] [bytes per arrival] then the frames.
/// </summary>
internal static class MessageTarget
{
    // 16 MiB, 16 times the product default, as an operator may allow: a frame that claims it must not cost 16 MiB
    // before the bytes come.
    private static readonly long[] Limits = [1, 125, 4096, 16 * 1024 * 1024];

    // What the assembler may allocate beyond a few times the bytes received: its first 64 KiB buffer, grown once.
    private const long AllocationSlack = 512 * 1024;

    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 3)
        {
            return;
        }

        // Bit 0: permessage-deflate negotiated; bit 3: with client context takeover.
        bool deflate = (input[0] & 1) != 0;
        bool takeover = (input[0] & 8) != 0;
        long limit = Limits[(input[0] >> 1) & 3];
        byte[] data = input[3..].ToArray();
        var trickled = Assemble(data, input[1], input[2], deflate, takeover, limit);
        var whole = Assemble(data, 0, 0, deflate, takeover, limit);
        Check(trickled.SequenceEqual(whole), $"trickled [{string.Join("; ", trickled)}] differs from whole [{string.Join("; ", whole)}]");
    }

    private static List<string> Assemble(byte[] data, int segmentLength, int arrivalLength, bool deflate, bool takeover, long limit)
    {
        var events = new List<string>();
        var all = Segments.Split(data, segmentLength);
        using var assembler = new MessageAssembler(deflate ? new MessageInflater(takeover) : null);

        // Inflating may cost up to the limit whatever the input's size (that is the bound a decompression bomb
        // meets): output buffers grow by doubling to the limit, plus the inflater's own state.
        long inflateAllowance = deflate ? (4 * (limit + 1)) + (64 * 1024) : 0;
        long consumed = 0;
        long arrived = 0;
        long allocated = 0;
        while (arrived < data.Length)
        {
            arrived = arrivalLength == 0 ? data.Length : Math.Min(data.Length, arrived + arrivalLength);
            while (true)
            {
                var buffer = all.Slice(consumed, arrived - consumed);
                long before = GC.GetAllocatedBytesForCurrentThread();
                var status = assembler.TryAssemble(ref buffer, limit, out var error);
                allocated += GC.GetAllocatedBytesForCurrentThread() - before;
                Check(allocated <= (8 * arrived) + AllocationSlack + inflateAllowance, $"{allocated} bytes allocated for {arrived} bytes received");
                long nowConsumed = arrived - buffer.Length;
                Check(nowConsumed >= consumed, "the buffer went backwards");
                consumed = nowConsumed;
                switch (status)
                {
                    case AssembleStatus.NeedMoreData:
                        // Only a partial header is left unconsumed; payload bytes are taken as they come.
                        Check(error == FrameError.None && buffer.Length < 14, $"NeedMoreData left {buffer.Length} bytes");
                        assembler.ReleaseBuffers();
                        break;
                    case AssembleStatus.Message:
                        var message = assembler.Message.Span;
                        Check(message.Length <= limit, $"{message.Length}-byte message over the {limit}-byte limit");
                        Check(assembler.MessageOpcode is Opcode.Text or Opcode.Binary, $"message opcode {assembler.MessageOpcode}");
                        Check(assembler.MessageOpcode != Opcode.Text || Utf8.IsValid(message), "text message is not UTF-8");
                        events.Add($"{assembler.MessageOpcode} {Convert.ToHexString(message)}");
                        continue;
                    case AssembleStatus.Control:
                        var control = assembler.Control.Span;
                        Check(control.Length <= MessageAssembler.ControlPayloadMax, $"{control.Length}-byte control frame");
                        Check(assembler.ControlOpcode is Opcode.Close or Opcode.Ping or Opcode.Pong, $"control opcode {assembler.ControlOpcode}");
                        if (assembler.ControlOpcode == Opcode.Close)
                        {
                            FrameTarget.CheckClosePayload(control);
                        }

                        events.Add($"{assembler.ControlOpcode} {Convert.ToHexString(control)}");
                        continue;
                    case AssembleStatus.Error:
                        Check(error != FrameError.None, "Error without a reason");
                        events.Add($"error {error}");
                        return events;
                    default:
                        Check(false, $"unknown status {status}");
                        break;
                }

                break;
            }
        }

        events.Add($"in progress {assembler.InProgress}");
        return events;
    }
}
