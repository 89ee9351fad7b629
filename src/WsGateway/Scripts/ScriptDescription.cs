namespace WsGateway.Scripts;

/// <summary>Reads the help text a script declares on its first line: <c>// description: Tells the time</c>.</summary>
internal static class ScriptDescription
{
    private const string Marker = "description:";

    /// <returns>The trimmed text after the marker, or null when the first line is not such a comment.</returns>
    public static string? Read(string source)
    {
        var text = source.AsSpan().TrimStart('\uFEFF');
        var end = text.IndexOfAny('\r', '\n');
        var line = (end < 0 ? text : text[..end]).Trim();
        if (!line.StartsWith("//", StringComparison.Ordinal))
        {
            return null;
        }

        line = line[2..].TrimStart();
        if (!line.StartsWith(Marker, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var description = line[Marker.Length..].Trim();
        return description.IsEmpty ? null : description.ToString();
    }
}
