using Serilog;
using WsGateway.Commands;

namespace WsGateway.Tests.Commands;

public sealed class CommandRegistryTests
{
    private static readonly ILogger Log = new LoggerConfiguration().CreateLogger();

    private static CommandDescriptor Command(string name, CommandOriginKind kind, string origin) =>
        new(name, "d", new CommandOrigin(kind, origin), _ => ValueTask.CompletedTask);

    [Fact]
    public void Lookup_is_case_insensitive()
    {
        var registry = new CommandRegistry(Log);
        registry.SetSource("plugin:A", [Command("Hello", CommandOriginKind.Plugin, "A")]);
        Assert.True(registry.Current.TryGet("hELLO", out var found));
        Assert.Equal("Hello", found.Name);
    }

    [Fact]
    public void Scripts_win_over_plugins_and_built_ins_over_both_and_the_loser_stays_listed()
    {
        var registry = new CommandRegistry(Log);
        registry.SetSource("plugin:A", [Command("date", CommandOriginKind.Plugin, "A"), Command("help", CommandOriginKind.Plugin, "A")]);
        registry.SetSource("script:date.csx", [Command("date", CommandOriginKind.Script, "date.csx")]);
        registry.SetSource("builtin:help", [Command("help", CommandOriginKind.BuiltIn, "gateway")]);

        var table = registry.Current;
        Assert.True(table.TryGet("date", out var date));
        Assert.Equal(CommandOriginKind.Script, date.Origin.Kind);
        Assert.True(table.TryGet("help", out var help));
        Assert.Equal(CommandOriginKind.BuiltIn, help.Origin.Kind);
        Assert.Equal(4, table.All.Length);
        Assert.Equal(2, table.All.Count(d => !table.IsActive(d)));
    }

    [Fact]
    public void Among_plugins_the_origin_name_in_ordinal_order_wins()
    {
        var registry = new CommandRegistry(Log);
        registry.SetSource("plugin:Zeta", [Command("x", CommandOriginKind.Plugin, "Zeta")]);
        registry.SetSource("plugin:Alpha", [Command("x", CommandOriginKind.Plugin, "Alpha")]);
        registry.Current.TryGet("x", out var winner);
        Assert.Equal("Alpha", winner.Origin.Name);
    }

    [Fact]
    public void Replacing_a_source_swaps_a_new_snapshot_and_leaves_the_old_one_intact()
    {
        var registry = new CommandRegistry(Log);
        registry.SetSource("plugin:A", [Command("one", CommandOriginKind.Plugin, "A")]);
        var before = registry.Current;
        registry.SetSource("plugin:A", [Command("two", CommandOriginKind.Plugin, "A")]);

        Assert.True(before.TryGet("one", out _));
        Assert.False(registry.Current.TryGet("one", out _));
        Assert.True(registry.Current.TryGet("two", out _));
    }

    [Fact]
    public void Removing_a_source_removes_its_commands()
    {
        var registry = new CommandRegistry(Log);
        registry.SetSource("plugin:A", [Command("one", CommandOriginKind.Plugin, "A")]);
        registry.RemoveSource("plugin:A");
        Assert.False(registry.Current.TryGet("one", out _));
        Assert.Empty(registry.Current.All);
    }
}
