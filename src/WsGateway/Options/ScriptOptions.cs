namespace WsGateway.Options;

public sealed record ScriptOptions
{
    /// <summary>Watched folder of <c>*.csx</c> files; each file is one command named after the file.</summary>
    public string Directory { get; set; } = "scripts";

    /// <summary>Assembly names or paths scripts may reference beyond the defaults.</summary>
    public string[] References { get; set; } = [];

    /// <summary>Namespaces imported into every script beyond the defaults.</summary>
    public string[] Imports { get; set; } = [];

    /// <summary>How long the folder must be quiet after a save before the script is recompiled.</summary>
    public int DebounceMilliseconds { get; set; } = 150;

    public bool Equals(ScriptOptions? other) =>
        other is not null
        && OptionLists.Same(References, other.References)
        && OptionLists.Same(Imports, other.Imports)
        && Directory == other.Directory
        && DebounceMilliseconds == other.DebounceMilliseconds;

    public override int GetHashCode() => HashCode.Combine(OptionLists.Hash(References), OptionLists.Hash(Imports), Directory, DebounceMilliseconds);
}
