namespace WsGateway.Diagnostics;

/// <summary>One plugin load or script compile, as the admin API lists it.</summary>
/// <param name="Kind"><c>plugin</c> or <c>script</c>.</param>
/// <param name="Name">The plugin's name, or the script's file name.</param>
/// <param name="Version">The plugin's assembly version; null for scripts and for a plugin that did not load.</param>
/// <param name="Hash">The first 12 hex digits of a SHA-256: of a plugin folder's files, or of a script's source.</param>
/// <param name="Outcome">
/// <c>loaded</c> (new, or replacing another version), <c>failed</c> (the previous version, if any, keeps serving),
/// or <c>removed</c>.
/// </param>
/// <param name="Diagnostics">What went wrong (the loader's reason, the compiler's errors), and a script's warnings.</param>
internal sealed record ReloadRecord(
    DateTimeOffset At, string Kind, string Name, string? Version, string? Hash, string Outcome, IReadOnlyList<string> Diagnostics);
