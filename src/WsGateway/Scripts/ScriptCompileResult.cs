using System.Collections.Immutable;

namespace WsGateway.Scripts;

/// <param name="Script">The loaded version; null when the source has errors.</param>
/// <param name="Diagnostics">Every error and warning, in the compiler's order.</param>
internal sealed record ScriptCompileResult(CompiledScript? Script, ImmutableArray<ScriptDiagnostic> Diagnostics)
{
    /// <summary>The first error, as <c>help</c> shows it; null when the script compiled.</summary>
    public string? FirstError => Diagnostics.FirstOrDefault(d => d.IsError)?.ToString();
}
