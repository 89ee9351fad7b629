using WsGateway.Commands;

namespace WsGateway.Scripts;

/// <summary>
/// The directives in a script's leading comment lines (the <c>//</c> lines before any code):
/// <c>// description: Tells the time</c>, and <c>// requires: authenticated</c> or <c>// requires: role admin, ops</c>
/// (any one of the roles; several <c>requires:</c> lines must all hold).
/// </summary>
/// <param name="Description">The help text, or null when there is none.</param>
/// <param name="Access">Who may run the command.</param>
/// <param name="Problem">A directive that does not parse, with its line and column; the script is then not published.</param>
internal sealed record ScriptHeader(string? Description, CommandAccess Access, ScriptDiagnostic? Problem)
{
    public const string DirectiveId = "WSG0001";
    private const string DescriptionMarker = "description:";
    private const string RequiresMarker = "requires:";

    public static ScriptHeader Read(string source, string fileName = "")
    {
        string? description = null;
        bool authenticated = false;
        var roleSets = new List<IReadOnlyList<string>>();
        var text = source.AsSpan().TrimStart('\uFEFF');
        int lineNumber = 0;
        foreach (var range in text.Split('\n'))
        {
            lineNumber++;
            var raw = text[range].TrimEnd('\r');
            var line = raw.Trim();
            if (!line.StartsWith("//", StringComparison.Ordinal))
            {
                break;
            }

            var body = line[2..].TrimStart();
            if (body.StartsWith(DescriptionMarker, StringComparison.OrdinalIgnoreCase))
            {
                var value = body[DescriptionMarker.Length..].Trim();
                description ??= value.IsEmpty ? null : value.ToString();
            }
            else if (body.StartsWith(RequiresMarker, StringComparison.OrdinalIgnoreCase))
            {
                var afterMarker = body[RequiresMarker.Length..];
                var value = afterMarker.Trim();
                // 1-based column of the value itself (past the spaces after the marker), where an editor should jump.
                int column = raw.Length - raw.TrimStart().Length + (line.Length - body.Length) + RequiresMarker.Length
                    + (afterMarker.Length - afterMarker.TrimStart().Length) + 1;
                if (value.Equals("authenticated", StringComparison.OrdinalIgnoreCase))
                {
                    authenticated = true;
                }
                else if (Roles(value) is { Count: > 0 } roles)
                {
                    roleSets.Add(roles);
                }
                else
                {
                    var problem = new ScriptDiagnostic(fileName, lineNumber, column, DirectiveId, IsError: true,
                        $"\"requires: {value}\" is not a requirement; write \"requires: authenticated\" or \"requires: role NAME[, NAME...]\"");
                    return new ScriptHeader(description, CommandAccess.Anyone, problem);
                }
            }
        }

        var access = !authenticated && roleSets.Count == 0 ? CommandAccess.Anyone : new CommandAccess(true, roleSets);
        return new ScriptHeader(description, access, null);
    }

    /// <summary><c>role admin</c> or <c>roles admin, ops</c>: the names, or null when it is not that form.</summary>
    private static List<string>? Roles(ReadOnlySpan<char> value)
    {
        int space = value.IndexOfAny(' ', '\t');
        // Case-insensitive like "requires:" and "authenticated"; the role names after it are compared exactly.
        if (space < 0 || !(value[..space].Equals("role", StringComparison.OrdinalIgnoreCase) || value[..space].Equals("roles", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var roles = new List<string>();
        foreach (var part in value[(space + 1)..].ToString().Split(',', StringSplitOptions.TrimEntries))
        {
            if (part.Length == 0 || part.AsSpan().IndexOfAny(' ', '\t') >= 0)
            {
                return null;
            }

            roles.Add(part);
        }

        return roles;
    }
}
