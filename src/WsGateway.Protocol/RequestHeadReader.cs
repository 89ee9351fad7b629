using System.Buffers;

namespace WsGateway.Protocol;

/// <summary>Finds where an HTTP/1.1 request head ends (RFC 9112 2.1) in bytes received so far.</summary>
public static class RequestHeadReader
{
    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    /// <summary>
    /// Looks for the CRLF CRLF that ends a request head, in at most <paramref name="maxBytes"/> bytes, so the limit holds
    /// while reading rather than after buffering everything. Bare-LF line endings are not recognised.
    /// </summary>
    /// <param name="buffer">Bytes received so far, from the first byte of the request; may span segments.</param>
    /// <param name="maxBytes">Largest allowed head, blank line included.</param>
    /// <param name="headLength">On <see cref="HeadReadStatus.Complete"/>, bytes up to and including the blank line; otherwise 0.</param>
    public static HeadReadStatus TryFindHead(in ReadOnlySequence<byte> buffer, int maxBytes, out int headLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        headLength = 0;
        ReadOnlySequence<byte> window = buffer.Length > maxBytes ? buffer.Slice(0, maxBytes) : buffer;
        var reader = new SequenceReader<byte>(window);
        if (reader.TryReadTo(out ReadOnlySequence<byte> _, EndOfHead, advancePastDelimiter: true))
        {
            headLength = (int)reader.Consumed;
            return HeadReadStatus.Complete;
        }

        return buffer.Length >= maxBytes ? HeadReadStatus.TooLarge : HeadReadStatus.NeedMoreData;
    }
}
