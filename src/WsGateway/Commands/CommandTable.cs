using System.Collections.Frozen;
using System.Collections.Immutable;

namespace WsGateway.Commands;

/// <summary>
/// An immutable snapshot of every command. A dispatch reads one snapshot start to finish, so a reload
/// in the middle of a call never mixes old and new state.
/// </summary>
internal sealed class CommandTable
{
    public static readonly CommandTable Empty = new([]);

    private readonly FrozenDictionary<string, CommandDescriptor> _active;
    private readonly FrozenDictionary<string, CommandDescriptor>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <param name="all">Every contribution, in precedence order (the first of a name wins).</param>
    internal CommandTable(ImmutableArray<CommandDescriptor> all)
    {
        All = all;
        var winners = new Dictionary<string, CommandDescriptor>(StringComparer.OrdinalIgnoreCase);
        foreach (var descriptor in all)
        {
            winners.TryAdd(descriptor.Name, descriptor);
        }

        _active = winners.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _lookup = _active.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Every contribution, shadowed ones included, in precedence order.</summary>
    public ImmutableArray<CommandDescriptor> All { get; }

    /// <summary>The commands that answer, one per name.</summary>
    public IEnumerable<CommandDescriptor> Active => _active.Values;

    public bool TryGet(ReadOnlySpan<char> name, out CommandDescriptor descriptor) =>
        _lookup.TryGetValue(name, out descriptor!);

    /// <summary>True when <paramref name="descriptor"/> is the one that answers its name.</summary>
    public bool IsActive(CommandDescriptor descriptor) =>
        _active.TryGetValue(descriptor.Name, out var winner) && ReferenceEquals(winner, descriptor);
}
