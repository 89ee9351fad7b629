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
}
