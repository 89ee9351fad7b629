namespace WsGateway.Contracts;

/// <summary>What a group name may be: what <see cref="ICommandContext.JoinGroupAsync"/> and its siblings accept.</summary>
public static class GroupNames
{
    /// <summary>The longest group name, in characters.</summary>
    public const int MaxLength = 64;

    /// <summary>1-64 characters: ASCII letters, digits, '-', '_', '.', ':' and '#'.</summary>
    public static bool IsValid(string? group)
    {
        if (string.IsNullOrEmpty(group) || group.Length > MaxLength)
        {
            return false;
        }

        foreach (char c in group)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '#'))
            {
                return false;
            }
        }

        return true;
    }

    /// <exception cref="ArgumentException"><paramref name="group"/> is not a valid name.</exception>
    public static void ThrowIfInvalid(string? group)
    {
        if (!IsValid(group))
        {
            throw new ArgumentException(
                $"\"{group}\" is not a group name: 1-{MaxLength} characters, letters, digits, '-', '_', '.', ':' and '#'.", nameof(group));
        }
    }
}
