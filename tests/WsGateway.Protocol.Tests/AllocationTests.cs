using System.Buffers;

namespace WsGateway.Protocol.Tests;

public sealed class AllocationTests
{
    private static long AllocatedBy(Action action)
    {
        action(); // warm up: JIT and static initialisation may allocate once
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void Per_frame_hot_path_does_not_allocate()
    {
        byte[] frame = new byte[FrameWriter.MaxHeaderLength + 1000];
        int headerLength = FrameWriter.WriteHeader(frame, Opcode.Text, fin: true, 1000, maskKey: 0x12345678);
        frame.AsSpan(headerLength).Fill((byte)'a');
        var sequence = Sequences.SplitAt(frame, 3);

        long allocated = AllocatedBy(() =>
        {
            var reader = new SequenceReader<byte>(sequence);
            FrameReader.TryReadHeader(ref reader, requireMask: true, allowRsv1: false, out var header, out _);
            var state = new MessageState();
            state.OnDataFrame(header, 1 << 20);
            Span<byte> payload = frame.AsSpan(headerLength);
            Masking.Apply(payload, header.MaskKey, 0);
            var validator = new Utf8Validator();
            validator.TryValidate(payload, isFinal: true);
            Masking.Apply(payload, header.MaskKey, 0);
        });

        Assert.Equal(0, allocated);
    }
}
