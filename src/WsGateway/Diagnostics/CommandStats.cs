using System.Collections.Concurrent;

namespace WsGateway.Diagnostics;

/// <summary>
/// Per command and version, since start: calls, errors, denials and run times, for the admin API
/// (<c>GET /api/v1/commands</c>). A version that is replaced keeps its row, so a reload's effect can be compared.
/// </summary>
internal sealed class CommandStats
{
    private readonly ConcurrentDictionary<(string Command, string? Version), CommandStatsEntry> _entries = new();

    /// <summary>The entry of <paramref name="command"/> at <paramref name="version"/>, made on its first call.</summary>
    public CommandStatsEntry For(string command, string? version) =>
        _entries.GetOrAdd((command, version), static key => new CommandStatsEntry(key.Command, key.Version));

    /// <summary>Every entry, by command name and then version.</summary>
    public IReadOnlyList<CommandStatsEntry> Snapshot() =>
        [.. _entries.Values.OrderBy(e => e.Command, StringComparer.OrdinalIgnoreCase).ThenBy(e => e.Version, StringComparer.Ordinal)];
}
