using System.Buffers;

namespace WsGateway.Contracts;

/// <summary>
/// What a command name may be: what <see cref="ICommand.Name"/> and <see cref="IAuthenticator.Name"/> must be, and a
/// cluster node's name too.
/// </summary>
public static class CommandNames
{
    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");

    /// <summary>
    /// ASCII letters, digits, '-', '_' and '.'; ASCII only, so that case-insensitive matching holds no culture
    /// surprises.
    /// </summary>
    public static bool IsValid(string? name) => !string.IsNullOrEmpty(name) && name.AsSpan().IndexOfAnyExcept(Allowed) < 0;
}
