using System.Buffers;
using System.Text.Unicode;
using WsGateway.Protocol;
using static WsGateway.Fuzz.FuzzInvariantException;

namespace WsGateway.Fuzz;

/// <summary>
/// <see cref="FrameReader"/> over a run of frames, each payload unmasked by <see cref="Masking"/> and close payloads
/// parsed by <see cref="CloseStatus"/>. The bytes are read once split into segments and once whole: both readings
/// must agree. Input: [flags: bit 0 requireMask, bit 1 allowRsv1] [segment length] then the frames.
/// </summary>
internal static class FrameTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2)
        {
            return;
        }

        bool requireMask = (input[0] & 1) != 0;
        bool allowRsv1 = (input[0] & 2) != 0;
        byte[] data = input[2..].ToArray();
        var split = ReadFrames(Segments.Split(data, input[1]), requireMask, allowRsv1);
        var whole = ReadFrames(new ReadOnlySequence<byte>(data), requireMask, allowRsv1);
        Check(split.SequenceEqual(whole), $"split reading [{string.Join("; ", split)}] differs from whole [{string.Join("; ", whole)}]");
    }

    private static List<string> ReadFrames(ReadOnlySequence<byte> buffer, bool requireMask, bool allowRsv1)
    {
        var outcomes = new List<string>();
        while (true)
        {
            var reader = new SequenceReader<byte>(buffer);
            var status = FrameReader.TryReadHeader(ref reader, requireMask, allowRsv1, out var header, out var error);
            if (status == FrameReadStatus.NeedMoreData)
            {
                Check(reader.Consumed == 0 && error == FrameError.None, "NeedMoreData consumed bytes or named an error");
                Check(buffer.Length < 14, $"NeedMoreData with {buffer.Length} bytes, more than any header");
                outcomes.Add($"need more after {buffer.Length}");
                return outcomes;
            }

            if (status == FrameReadStatus.Error)
            {
                Check(reader.Consumed == 0 && error != FrameError.None, "Error consumed bytes or named none");
                Check(CloseStatus.ForError(error) is CloseStatus.ProtocolError or CloseStatus.InvalidPayloadData or CloseStatus.MessageTooBig,
                    $"close code for {error}");
                Check(CloseStatus.Describe(error).Length is > 0 and <= CloseStatus.MaxReasonBytes, $"reason for {error}");
                outcomes.Add($"error {error}");
                return outcomes;
            }

            Check(status == FrameReadStatus.Complete, $"unknown status {status}");
            CheckHeader(header, reader.Consumed, requireMask, allowRsv1);
            outcomes.Add($"{header.Opcode} fin={header.Fin} rsv1={header.Rsv1} masked={header.Masked} key={header.MaskKey:x8} length={header.PayloadLength}");
            buffer = buffer.Slice(header.HeaderLength);
            if (buffer.Length < header.PayloadLength)
            {
                outcomes.Add($"payload cut at {buffer.Length}");
                return outcomes;
            }

            var payload = buffer.Slice(0, header.PayloadLength);
            CheckPayload(header, payload);
            buffer = buffer.Slice(payload.End);
        }
    }

    private static void CheckHeader(in FrameHeader header, long consumed, bool requireMask, bool allowRsv1)
    {
        int expectedLength = 2 + (header.PayloadLength switch { <= 125 => 0, <= ushort.MaxValue => 2, _ => 8 }) + (header.Masked ? 4 : 0);
        Check(consumed == header.HeaderLength, $"consumed {consumed} for a {header.HeaderLength}-byte header");

        // Non-minimal length encodings are accepted, so the header may be longer than the minimal one, never shorter.
        Check(header.HeaderLength >= expectedLength && header.HeaderLength <= 14, $"header length {header.HeaderLength}");
        Check(header.PayloadLength >= 0, $"payload length {header.PayloadLength}");
        Check(header.Opcode is Opcode.Continuation or Opcode.Text or Opcode.Binary or Opcode.Close or Opcode.Ping or Opcode.Pong,
            $"opcode {header.Opcode}");
        Check(!header.Rsv2 && !header.Rsv3, "RSV2/RSV3 accepted");
        Check(!header.Rsv1 || (allowRsv1 && header.Opcode is Opcode.Text or Opcode.Binary), $"RSV1 accepted on {header.Opcode}");
        Check(!requireMask || header.Masked, "unmasked frame accepted");
        Check(header.Masked || header.MaskKey == 0, "mask key without the mask bit");
        Check(!header.IsControl || (header.Fin && header.PayloadLength <= FrameReader.MaxControlPayloadLength),
            $"control frame fin={header.Fin} length={header.PayloadLength}");
    }

    private static void CheckPayload(in FrameHeader header, ReadOnlySequence<byte> payload)
    {
        byte[] wire = payload.ToArray();
        var expected = new byte[wire.Length];
        for (int i = 0; i < wire.Length; i++)
        {
            expected[i] = (byte)(wire[i] ^ (byte)(header.MaskKey >> (i % 4 * 8)));
        }

        // Unmasking segment by segment, as the assembler does, must match a byte-by-byte reference.
        var unmasked = new byte[wire.Length];
        int offset = 0;
        int maskOffset = 0;
        foreach (var segment in payload)
        {
            segment.Span.CopyTo(unmasked.AsSpan(offset));
            maskOffset = Masking.Apply(unmasked.AsSpan(offset, segment.Length), header.MaskKey, maskOffset);
            offset += segment.Length;
        }

        Check(unmasked.AsSpan().SequenceEqual(expected), "segmented unmasking differs from the reference");
        if (header.Opcode == Opcode.Close)
        {
            CheckClosePayload(unmasked);
        }
    }

    internal static void CheckClosePayload(ReadOnlySpan<byte> payload)
    {
        if (CloseStatus.TryParsePayload(payload, out int code, out var reason, out var error))
        {
            Check(error == FrameError.None, "accepted close payload with an error");
            Check(payload.IsEmpty ? code == CloseStatus.NoStatusReceived : CloseStatus.IsValidOnWire(code), $"close code {code}");
            Check(Utf8.IsValid(reason) && reason.Length == Math.Max(0, payload.Length - 2), "close reason");
        }
        else
        {
            Check(error is FrameError.InvalidClosePayload or FrameError.InvalidCloseReason, $"close payload refused with {error}");
            Check(reason.IsEmpty, "refused close payload with a reason");
        }
    }
}
