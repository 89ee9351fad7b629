namespace WsGateway.Scripts;

/// <summary>A compiler message about a script, detached from Roslyn so that nothing keeps a compilation alive.</summary>
/// <param name="File">The script's file name, relative to the scripts directory.</param>
/// <param name="Line">1-based; 0 when the message has no place in the file (a missing reference, for example).</param>
/// <param name="Column">1-based; 0 when <paramref name="Line"/> is 0.</param>
/// <param name="Id">The compiler's id, for example <c>CS1002</c>.</param>
/// <param name="IsError">False for warnings.</param>
/// <param name="Message">The compiler's text, in the invariant culture.</param>
internal sealed record ScriptDiagnostic(string File, int Line, int Column, string Id, bool IsError, string Message)
{
    /// <summary>The compiler's own layout, <c>file(line,col): error CSxxxx: message</c>, which editors can jump to.</summary>
    public override string ToString()
    {
        var severity = IsError ? "error" : "warning";
        return Line > 0
            ? $"{File}({Line},{Column}): {severity} {Id}: {Message}"
            : $"{File}: {severity} {Id}: {Message}";
    }
}
