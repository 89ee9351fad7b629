using System.Runtime.Loader;
using Serilog.Events;
using WsGateway.Commands;
using WsGateway.Plugins;

namespace WsGateway.Tests.Plugins;

/// <summary>The sample plugins, as the normal build deploys them (building this test project builds them).</summary>
public sealed class SamplePluginTests : IDisposable
{
    private readonly TemporaryPluginDirectory _directory = new();
    private readonly LogRecorder _log = new();
    private readonly CommandRegistry _registry;

    public SamplePluginTests() => _registry = new CommandRegistry(_log.Logger);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Tutorial_plugin_holds_the_tutorial_conversation()
    {
        _directory.CopyIn(Deployed("Tutorial"));
        await using var catalog = await StartCatalogAsync();
        var session = new FakeSession { ConnectedAt = DateTimeOffset.UtcNow.AddMinutes(-3) };

        Assert.Equal("Hello, friend! Tell me your name with: name <yours>", (await RunAsync(session, "hello")).Reply);
        Assert.Equal("Hi there!", (await RunAsync(session, "hi")).Reply);
        Assert.Equal("I don't know your name yet. Tell me with: name <yours>", (await RunAsync(session, "name")).Reply);
        Assert.Equal("Nice to meet you, Ada.", (await RunAsync(session, "name", "  Ada ")).Reply);
        Assert.Equal("Your name is Ada.", (await RunAsync(session, "name")).Reply);
        Assert.Equal("Hello, Ada! Good to see you again.", (await RunAsync(session, "hello")).Reply);
        Assert.Equal("Hi, Ada!", (await RunAsync(session, "hi")).Reply);
        Assert.Equal("I don't count birthdays, but we met 3 minutes ago.", (await RunAsync(session, "age")).Reply);
        Assert.Equal("You're welcome.", (await RunAsync(session, "thanks")).Reply);

        var bye = await RunAsync(session, "bye");
        Assert.Equal("Goodbye, Ada!", bye.Reply);
        Assert.Equal(new CloseRequest(1000, "bye"), bye.Closed);
    }

    [Fact]
    public async Task Sample_descriptions_are_plain_text_with_no_markdown()
    {
        _directory.CopyIn(Deployed("Tutorial"));
        _directory.CopyIn(Deployed("Humanize"));
        await using var catalog = await StartCatalogAsync();

        var descriptions = _registry.Current.All.Select(d => d.Description).ToList();
        Assert.Contains(descriptions, d => d.Contains("name <yours>", StringComparison.Ordinal));
        Assert.All(descriptions, d => Assert.DoesNotContain("`", d));
    }

    [Fact]
    public async Task Tutorial_name_refuses_a_name_longer_than_64_characters()
    {
        _directory.CopyIn(Deployed("Tutorial"));
        await using var catalog = await StartCatalogAsync();
        var session = new FakeSession();

        Assert.Equal("That name is too long; 64 characters at most, please.", (await RunAsync(session, "name", new string('x', 65))).Reply);
        Assert.Equal("Nice to meet you, " + new string('x', 64) + ".", (await RunAsync(session, "name", new string('x', 64))).Reply);
    }

    [Fact]
    public async Task Humanize_plugin_spells_numbers_with_its_own_copy_of_Humanizer()
    {
        _directory.CopyIn(Deployed("Humanize"));
        Assert.True(File.Exists(Path.Combine(_directory.FolderOf("Humanize"), "Humanizer.dll")));
        await using var catalog = await StartCatalogAsync();

        Assert.Equal("forty-two", (await RunAsync(new FakeSession(), "words", "42")).Reply);
        Assert.Equal("minus one thousand and one", (await RunAsync(new FakeSession(), "words", "-1001")).Reply);
        Assert.Equal("Usage: words <whole number>, for example: words 42", (await RunAsync(new FakeSession(), "words", "many")).Reply);

        Assert.True(_registry.Current.TryGet("words", out var words));
        var pluginContext = AssemblyLoadContext.GetLoadContext(words.ExecuteAsync.Target!.GetType().Assembly)!;
        Assert.Contains(pluginContext.Assemblies, a => a.GetName().Name == "Humanizer");
        Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name == "Humanizer");
    }

    [Fact]
    public async Task Humanize_plugin_without_its_dependency_is_skipped_with_the_reason()
    {
        _directory.CopyIn(Deployed("Humanize"));
        File.Delete(Path.Combine(_directory.FolderOf("Humanize"), "Humanizer.dll"));
        _directory.CopyIn(Deployed("Tutorial"));

        await using var catalog = await StartCatalogAsync();

        Assert.False(_registry.Current.TryGet("words", out _));
        Assert.True(_registry.Current.TryGet("hello", out _));
        Assert.True(_log.Has(LogEventLevel.Error, "Humanize", "its dependency Humanizer"), _log.ToString());
    }

    private static string Deployed(string plugin)
    {
        var folder = Path.Combine(RepositoryPaths.PluginDeployDir, plugin);
        Assert.True(Directory.Exists(folder), $"{folder} is missing: building WsGateway.Tests should have deployed it");
        return folder;
    }

    private async Task<PluginCatalog> StartCatalogAsync()
    {
        var catalog = new PluginCatalog(_directory.Path, TimeSpan.FromMilliseconds(100), _registry, _log.Logger);
        await catalog.StartAsync(CancellationToken.None);
        return catalog;
    }

    private async Task<(string Reply, CloseRequest? Closed)> RunAsync(
        FakeSession session, string command, string arguments = "")
    {
        Assert.True(_registry.Current.TryGet(command, out var descriptor), $"{command} is not registered: {_log}");
        var context = new FakeCommandContext(command, arguments, session);
        await descriptor.ExecuteAsync(context);
        return (string.Join('\n', context.Replies), context.Closed);
    }
}
