using System.Buffers;
using WsGateway.Contracts;

namespace WsGateway.Commands;

/// <summary>The one rule for command names, shared by every source that publishes commands.</summary>
internal static class CommandNames
{
    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");

    /// <summary>
    /// Letters, digits, '-', '_' and '.', as <see cref="ICommand.Name"/> documents; ASCII only, so that
    /// case-insensitive matching holds no culture surprises.
    /// </summary>
    public static bool IsValid(string? name) => !string.IsNullOrEmpty(name) && name.AsSpan().IndexOfAnyExcept(Allowed) < 0;

    /// <summary>Longest part of what a client sent that an error reply repeats.</summary>
    public const int ExcerptLength = 64;

    /// <summary>
    /// What an error reply may repeat of a name the client sent: at most <see cref="ExcerptLength"/> characters and an
    /// ellipsis, so a 100 KB unknown command does not come back as a 100 KB error.
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
