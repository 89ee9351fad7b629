using WsGateway.Options;

namespace WsGateway.Connections;

/// <summary>The paths that lead to WebSocket routes: <c>Echo:Paths</c> and <c>Commands:Paths</c> share one lookup.</summary>
internal static class RoutePaths
{
    public static void Validate(EchoOptions echo, CommandOptions commands, OptionProblems problems)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        Paths("Echo:Paths", echo.Paths);
        Paths("Commands:Paths", commands.Paths);

        void Paths(string key, string[] paths)
        {
            for (int i = 0; i < paths.Length; i++)
            {
                var element = OptionProblems.Element(key, i);
                if (PathProblem(paths[i]) is { } problem)
                {
                    problems.Add($"{element} \"{paths[i]}\" {problem}");
                }
                else if (seen.TryGetValue(paths[i], out var first))
                {
                    problems.Add($"{element} \"{paths[i]}\" is already {first} (a path leads to one route)");
                }
                else
                {
                    seen.Add(paths[i], element);
                }
            }
        }
    }

    /// <summary>
    /// Why <paramref name="path"/> cannot be matched against a request path, or null. Request paths are compared
    /// exactly, without percent-decoding, and never contain the query (RFC 3986 section 3.3).
    /// </summary>
    private static string? PathProblem(string path)
    {
        if (!path.StartsWith('/'))
        {
            return "must start with \"/\"";
        }

        foreach (char c in path)
        {
            if (!IsPathChar(c))
            {
                return c is '?' or '#'
                    ? $"contains \"{c}\"; a route is a path without query or fragment"
                    : $"contains {Describe(c)}, which cannot appear in a request path";
            }
        }

        return null;
    }

    /// <summary>RFC 3986 pchar plus "/": unreserved, sub-delims, ":", "@", and "%" of percent-encoding.</summary>
    private static bool IsPathChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "-._~!$&'()*+,;=:@/%".Contains(c, StringComparison.Ordinal);

    private static string Describe(char c) =>
        c == ' ' ? "a space"
        : char.IsWhiteSpace(c) || char.IsControl(c) ? OptionProblems.Invariant($"the character U+{(int)c:X4}")
        : $"\"{c}\"";
}
