using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace WsGateway.Protocol;

/// <summary>RFC 6455 5.3 payload masking; the same XOR masks and unmasks.</summary>
public static class Masking
{
    /// <summary>
    /// XORs <paramref name="data"/> in place with the 4-byte mask, starting at mask byte <paramref name="maskOffset"/>,
    /// so a payload that arrives in several chunks is unmasked by passing each call's return value to the next.
    /// </summary>
    /// <param name="data">Payload bytes, in place.</param>
    /// <param name="maskKey">The key as <see cref="FrameHeader.MaskKey"/> holds it (wire bytes read little-endian).</param>
    /// <param name="maskOffset">Index (0..3) of the mask byte that applies to <c>data[0]</c>.</param>
    /// <returns>The mask offset for the next chunk: <c>(maskOffset + data.Length) &amp; 3</c>.</returns>
    public static int Apply(Span<byte> data, uint maskKey, int maskOffset)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)maskOffset, 3u, nameof(maskOffset));
        int nextOffset = (maskOffset + data.Length) & 3;

        // Rotate so mask byte `maskOffset` lines up with data[0]; every block below starts at a multiple of 4 bytes,
        // so one broadcast of this word masks any vector width.
        uint mask = BitOperations.RotateRight(maskKey, maskOffset * 8);
        uint memoryOrderMask = BitConverter.IsLittleEndian ? mask : BinaryPrimitives.ReverseEndianness(mask);

        ref byte start = ref MemoryMarshal.GetReference(data);
        nuint length = (nuint)data.Length;
        nuint i = 0;

        if (Vector512.IsHardwareAccelerated && length >= (nuint)Vector512<byte>.Count)
        {
            var vector = Vector512.Create(memoryOrderMask).AsByte();
            for (; i + (nuint)Vector512<byte>.Count <= length; i += (nuint)Vector512<byte>.Count)
            {
                (Vector512.LoadUnsafe(ref start, i) ^ vector).StoreUnsafe(ref start, i);
            }
        }

        if (Vector256.IsHardwareAccelerated && length - i >= (nuint)Vector256<byte>.Count)
        {
            var vector = Vector256.Create(memoryOrderMask).AsByte();
            for (; i + (nuint)Vector256<byte>.Count <= length; i += (nuint)Vector256<byte>.Count)
            {
                (Vector256.LoadUnsafe(ref start, i) ^ vector).StoreUnsafe(ref start, i);
            }
        }

        if (Vector128.IsHardwareAccelerated && length - i >= (nuint)Vector128<byte>.Count)
        {
            var vector = Vector128.Create(memoryOrderMask).AsByte();
            for (; i + (nuint)Vector128<byte>.Count <= length; i += (nuint)Vector128<byte>.Count)
            {
                (Vector128.LoadUnsafe(ref start, i) ^ vector).StoreUnsafe(ref start, i);
            }
        }

        ulong wide = ((ulong)memoryOrderMask << 32) | memoryOrderMask;
        for (; i + sizeof(ulong) <= length; i += sizeof(ulong))
        {
            Span<byte> block = data.Slice((int)i, sizeof(ulong));
            MemoryMarshal.Write(block, MemoryMarshal.Read<ulong>(block) ^ wide);
        }

        for (; i < length; i++)
        {
            data[(int)i] ^= (byte)(mask >> (int)((i & 3) * 8));
        }

        return nextOffset;
    }
}
