using WsGateway.Options;

namespace WsGateway.Scripts;

/// <summary>Checks <c>Scripts</c>.</summary>
internal static class ScriptOptionsValidator
{
    public static void Validate(ScriptOptions scripts, OptionProblems problems)
    {
        problems.DirectoryPath("Scripts:Directory", scripts.Directory);
        for (int i = 0; i < scripts.References.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(scripts.References[i]))
            {
                problems.Add($"{OptionProblems.Element("Scripts:References", i)} is empty (an assembly name or path)");
            }
        }

        for (int i = 0; i < scripts.Imports.Length; i++)
        {
            if (!IsNamespace(scripts.Imports[i]))
            {
                problems.Add($"{OptionProblems.Element("Scripts:Imports", i)} \"{scripts.Imports[i]}\" is not a namespace (like System.Text.Json)");
            }
        }

        problems.Range("Scripts:DebounceMilliseconds", scripts.DebounceMilliseconds, 0, int.MaxValue);
    }

    /// <summary>Dot-separated C# identifiers (letters, digits, underscores; not starting with a digit).</summary>
    private static bool IsNamespace(string name) =>
        name.Length > 0 && name.Split('.').All(part =>
            part.Length > 0 && (char.IsLetter(part[0]) || part[0] == '_') && part.All(c => char.IsLetterOrDigit(c) || c == '_'));
}
