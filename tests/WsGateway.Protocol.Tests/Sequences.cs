using System.Buffers;

namespace WsGateway.Protocol.Tests;

internal static class Sequences
{
    /// <summary>A sequence with one segment per chunk (empty chunks included, as pipes can produce them).</summary>
    public static ReadOnlySequence<byte> FromChunks(params byte[][] chunks)
    {
        if (chunks.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new BufferSegment(chunks[0]);
        var last = first;
        foreach (byte[] chunk in chunks.Skip(1))
        {
            last = last.Append(chunk);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>One segment per byte.</summary>
    public static ReadOnlySequence<byte> ByteByByte(byte[] bytes) => FromChunks(bytes.Select(b => new[] { b }).ToArray());

    /// <summary>Two segments split at <paramref name="at"/>.</summary>
    public static ReadOnlySequence<byte> SplitAt(byte[] bytes, int at) => FromChunks(bytes[..at], bytes[at..]);
}
