namespace WsGateway.Protocol;

/// <summary>Reads how long a request's body is from its head (RFC 9112 6.3), before any of the body is read.</summary>
public static class RequestBodyFraming
{
    /// <param name="head">The parsed request head.</param>
    /// <param name="maxBytes">The largest body that may be read.</param>
    /// <param name="length">The body's length for <see cref="BodyFraming.ContentLength"/> and <see cref="BodyFraming.TooLarge"/>; otherwise 0.</param>
    public static BodyFraming Frame(HttpRequestHead head, long maxBytes, out long length)
    {
        ArgumentNullException.ThrowIfNull(head);
        length = 0;

        // RFC 9112 6.3 item 3: Transfer-Encoding overrides Content-Length; with both, the request may be an attempt at
        // request smuggling. Neither is read here: the caller refuses it.
        if (head.CountHeader("Transfer-Encoding") > 0)
        {
            return BodyFraming.TransferEncoding;
        }

        long? found = null;
        foreach (var (name, value) in head.Headers)
        {
            if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // RFC 9110 8.6: a list of identical values may be taken as one value; anything else is invalid.
            foreach (Range range in value.AsSpan().Split(','))
            {
                if (!TryParseLength(value.AsSpan(range).Trim(" \t"), out long one) || (found is { } earlier && earlier != one))
                {
                    return BodyFraming.InvalidLength;
                }

                found = one;
            }
        }

        if (found is not { } declared || declared == 0)
        {
            return BodyFraming.None;
        }

        length = declared;
        return declared > maxBytes ? BodyFraming.TooLarge : BodyFraming.ContentLength;
    }

    // 1*DIGIT (RFC 9110 8.6): no sign, no spaces inside; more than 18 digits cannot be a length anyone sends.
    private static bool TryParseLength(ReadOnlySpan<char> text, out long length)
    {
        length = 0;
        if (text.Length is 0 or > 18)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            length = (length * 10) + (c - '0');
        }

        return true;
    }
}
