using System.Collections.Immutable;
using Serilog;

namespace WsGateway.Commands;

/// <summary>
/// The one place plugins, scripts and built-ins publish commands. Each source replaces its whole set at once;
/// the registry rebuilds an immutable <see cref="CommandTable"/> off to the side and swaps one reference.
/// </summary>
/// <remarks>
/// Precedence when two sources define one name (case-insensitive): built-ins, then scripts, then plugins;
/// within a kind, the origin name in ordinal order. The loser stays visible in <c>help</c> as shadowed.
/// </remarks>
internal sealed class CommandRegistry
{
    private readonly Lock _gate = new();
    private readonly ILogger _log;
    private ImmutableDictionary<string, ImmutableArray<CommandDescriptor>> _sources =
        ImmutableDictionary<string, ImmutableArray<CommandDescriptor>>.Empty.WithComparers(StringComparer.Ordinal);
    private CommandTable _current = CommandTable.Empty;

    public CommandRegistry(ILogger log) => _log = log.ForContext<CommandRegistry>();

    /// <summary>The live snapshot; read it once per dispatch.</summary>
    public CommandTable Current => Volatile.Read(ref _current);

    /// <summary>Raised after every swap, with the new snapshot.</summary>
    public event Action<CommandTable>? Changed;

    /// <summary>Replaces everything <paramref name="sourceKey"/> contributed (an empty list removes it).</summary>
    /// <param name="sourceKey">Stable per source, for example <c>plugin:Tutorial</c> or <c>script:date.csx</c>.</param>
    public void SetSource(string sourceKey, IReadOnlyList<CommandDescriptor> commands)
    {
        CommandTable table;
        lock (_gate)
        {
            _sources = commands.Count == 0
                ? _sources.Remove(sourceKey)
                : _sources.SetItem(sourceKey, [.. commands]);
            table = Build(_sources);
            Volatile.Write(ref _current, table);
        }

        WarnAboutConflicts(table, sourceKey);
        Changed?.Invoke(table);
    }

    public void RemoveSource(string sourceKey) => SetSource(sourceKey, []);

    private static CommandTable Build(ImmutableDictionary<string, ImmutableArray<CommandDescriptor>> sources)
    {
        var all = sources.Values
            .SelectMany(list => list)
            .OrderBy(d => d.Origin.Kind)
            .ThenBy(d => d.Origin.Name, StringComparer.Ordinal)
            .ThenBy(d => d.Name, StringComparer.OrdinalIgnoreCase)
            .ToImmutableArray();
        return new CommandTable(all);
    }

    private void WarnAboutConflicts(CommandTable table, string changedSource)
    {
        foreach (var shadowed in table.All.Where(d => !table.IsActive(d)))
        {
            table.TryGet(shadowed.Name, out var winner);
            _log.Warning(
                "Command {Command} is defined by {Winner} and by {Shadowed}; the first answers (after a change to {Source})",
                shadowed.Name, winner.Origin.ToString(), shadowed.Origin.ToString(), changedSource);
        }
    }
}
