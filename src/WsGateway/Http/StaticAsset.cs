namespace WsGateway.Http;

/// <summary>One file of the web console, held in memory with the headers it is served with.</summary>
/// <param name="Path">The request path that serves it, for example <c>/console.js</c>.</param>
/// <param name="ContentType">The <c>Content-Type</c> header value.</param>
/// <param name="Body">The bytes to send; shared, never modify.</param>
/// <param name="ETag">A strong entity tag, quotes included, derived from the SHA-256 of <paramref name="Body"/>.</param>
/// <param name="CacheControl">The <c>Cache-Control</c> header value.</param>
internal sealed record StaticAsset(string Path, string ContentType, byte[] Body, string ETag, string CacheControl)
{
    /// <summary>
    /// Whether a request carrying this <c>If-None-Match</c> value already has the current body, so the answer is
    /// 304 Not Modified. If-None-Match uses the weak comparison (RFC 9110 section 13.1.2): a <c>W/</c> prefix is ignored.
    /// </summary>
    public bool IsNotModified(string? ifNoneMatch)
    {
        if (string.IsNullOrWhiteSpace(ifNoneMatch))
        {
            return false;
        }

        foreach (var range in ifNoneMatch.AsSpan().Split(','))
        {
            var tag = ifNoneMatch.AsSpan(range).Trim();
            if (tag is "*")
            {
                return true;
            }

            if (tag.StartsWith("W/", StringComparison.Ordinal))
            {
                tag = tag[2..];
            }

            if (tag.SequenceEqual(ETag))
            {
                return true;
            }
        }

        return false;
    }
}
