using System.Buffers;
using System.IO.Compression;

namespace WsGateway.Protocol;

/// <summary>
/// Compresses one outgoing message for permessage-deflate (RFC 7692 section 7.2.1) on its own, without context: a
/// fresh deflater, a sync flush, and the flush's trailing <c>00 00 FF FF</c> removed. Without context, the same bytes
/// are valid for every client that negotiated the extension, so a broadcast is compressed once.
/// </summary>
public static class MessageDeflater
{
    private static ReadOnlySpan<byte> FlushTail => [0x00, 0x00, 0xFF, 0xFF];

    /// <summary>Compresses <paramref name="payload"/> (not empty) into a buffer rented from <see cref="ArrayPool{T}.Shared"/>.</summary>
    /// <param name="length">How many bytes of the returned buffer hold the compressed payload.</param>
    /// <returns>The buffer; the caller returns it to the pool.</returns>
    public static byte[] Compress(ReadOnlySpan<byte> payload, out int length)
    {
        if (payload.IsEmpty)
        {
            throw new ArgumentException("An empty message is sent uncompressed.", nameof(payload));
        }

        var output = new PooledBufferStream(payload.Length / 2 + 64);
        try
        {
            // Fastest is zlib level 1: most of the size saving on chat and JSON text for a fraction of the CPU.
            using (var deflater = new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true))
            {
                deflater.Write(payload);
                deflater.Flush();
                length = (int)output.Length - FlushTail.Length;

                // What Dispose adds after the flush (the final empty block) is not part of the message.
                output.Seal();
            }

            return output.Detach();
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }
}
