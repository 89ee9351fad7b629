using WsGateway.Commands;

namespace WsGateway.Scripts;

/// <summary>What the catalog knows about one script file. Owned by the catalog's reload loop; never shared.</summary>
internal sealed class ScriptEntry(string fileName)
{
    public string FileName { get; } = fileName;

    /// <summary>The command name: the file name without <c>.csx</c>.</summary>
    public string CommandName { get; } = Path.GetFileNameWithoutExtension(fileName);

    /// <summary>The text last compiled (successfully or not); a save that leaves it unchanged is not recompiled.</summary>
    public string? Source { get; set; }

    /// <summary>The hash of <see cref="Source"/> (<see cref="ScriptCatalog.SourceHash"/>).</summary>
    public string? SourceHash { get; set; }

    /// <summary>The hash of the source of <see cref="Good"/>: the version that answers.</summary>
    public string? GoodHash { get; set; }

    /// <summary>The version that answers; kept while later edits fail to compile.</summary>
    public CompiledScript? Good { get; set; }

    /// <summary>The help text of <see cref="Good"/>.</summary>
    public string? Description { get; set; }

    /// <summary>Who may run <see cref="Good"/>, from its <c>requires:</c> lines.</summary>
    public CommandAccess Access { get; set; } = CommandAccess.Anyone;

    /// <summary>Failed reads in a row (a save in progress); reset by a successful read.</summary>
    public int ReadFailures { get; set; }
}
