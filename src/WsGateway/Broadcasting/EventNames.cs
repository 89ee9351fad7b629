using System.Buffers;

namespace WsGateway.Broadcasting;

/// <summary>
/// The names a command (<c>SendEventAsync</c>) or a backend (the publish API) may give an event (docs/protocol.md):
/// 1-64 characters, letters, digits, <c>-</c>, <c>_</c>, <c>.</c> and <c>:</c>; not the gateway's own
/// <c>broadcast</c>, <c>group</c> or <c>direct</c>.
/// </summary>
internal static class EventNames
{
    public const string Rule = "1-64 characters, letters, digits, '-', '_', '.' and ':'; not \"broadcast\", \"group\" or \"direct\"";

    private static readonly SearchValues<char> Characters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:");

    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= 64 } and not ("broadcast" or "group" or "direct")
        && name.AsSpan().IndexOfAnyExcept(Characters) < 0;
}
