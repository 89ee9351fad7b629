using System.Buffers;

namespace WsGateway.Fuzz;

/// <summary>Bytes as a pipe hands them over: split into segments anywhere, since real reads split anywhere.</summary>
internal static class Segments
{
    /// <summary>Segments of <paramref name="segmentLength"/> bytes (the last one shorter); 0 means one segment.</summary>
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> data, int segmentLength)
    {
        if (segmentLength <= 0 || data.Length <= segmentLength)
        {
            return new ReadOnlySequence<byte>(data);
        }

        var first = new Segment(data[..segmentLength], 0);
        var last = first;
        for (int start = segmentLength; start < data.Length; start += segmentLength)
        {
            last = last.Append(data[start..Math.Min(data.Length, start + segmentLength)]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
