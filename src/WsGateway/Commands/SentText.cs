namespace WsGateway.Commands;

/// <summary>What an error reply may repeat of what a client sent.</summary>
internal static class SentText
{
    /// <summary>Longest part of what a client sent that an error reply repeats.</summary>
    public const int ExcerptLength = 64;

    /// <summary>
    /// At most <see cref="ExcerptLength"/> characters and an ellipsis, so a 100 KB unknown command does not come back
    /// as a 100 KB error.
    /// </summary>
    public static string Excerpt(string sent)
    {
        if (sent.Length <= ExcerptLength)
        {
            return sent;
        }

        // Never cut a surrogate pair in half.
        int length = char.IsHighSurrogate(sent[ExcerptLength - 1]) ? ExcerptLength - 1 : ExcerptLength;
        return string.Concat(sent.AsSpan(0, length), "…");
    }
}
