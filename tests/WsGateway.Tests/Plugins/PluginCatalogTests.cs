using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Serilog.Events;
using WsGateway.Commands;
using WsGateway.Options;
using WsGateway.Plugins;

namespace WsGateway.Tests.Plugins;

/// <summary>The catalog against real plugin builds (tests/Fixtures/GreeterPlugin) in a temporary directory.</summary>
public sealed class PluginCatalogTests : IClassFixture<GreeterBuilds>, IDisposable
{
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(100);

    /// <summary>Deadlines for what must happen; generous, because CI machines are busy (speed is the benchmark's job).</summary>
    private static readonly TimeSpan ReloadDeadline = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan ChangeDeadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CollectDeadline = TimeSpan.FromSeconds(30);

    private readonly GreeterBuilds _builds;
    private readonly TemporaryPluginDirectory _directory = new();
    private readonly LogRecorder _log = new();
    private readonly CommandRegistry _registry;

    public PluginCatalogTests(GreeterBuilds builds)
    {
        _builds = builds;
        _registry = new CommandRegistry(_log.Logger);
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Plugins_present_at_start_are_published_before_StartAsync_returns()
    {
        _directory.CopyIn(_builds.Version1);
        await using var catalog = await StartCatalogAsync();

        Assert.True(_registry.Current.TryGet("greet", out var greet));
        Assert.Equal(new CommandOrigin(CommandOriginKind.Plugin, "GreeterPlugin", "1.0.0"), greet.Origin);
        Assert.Equal("Replies with the version it was built as.", greet.Description);
        Assert.Equal("greet v1", await ReplyAsync("greet"));
        Assert.True(_log.Has(LogEventLevel.Information, "GreeterPlugin", "Loaded plugin"), _log.ToString());
    }

    [Fact]
    public async Task Plugin_assembly_is_read_into_memory_so_its_file_is_not_locked()
    {
        _directory.CopyIn(_builds.Version1);
        await using var catalog = await StartCatalogAsync();

        Assert.Equal(string.Empty, AssemblyLocationOf("greet"));
        using (new FileStream(_directory.AssemblyOf("GreeterPlugin"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            // Opened for writing with no sharing: nothing else holds the file.
        }

        File.Copy(Path.Combine(_builds.Version2, "GreeterPlugin.dll"), _directory.AssemblyOf("GreeterPlugin"), overwrite: true);
    }

    [Fact]
    public async Task Overwriting_the_dll_with_a_new_build_swaps_in_the_new_version()
    {
        _directory.CopyIn(_builds.Version1);
        await using var catalog = await StartCatalogAsync();
        Assert.Equal("greet v1", await ReplyAsync("greet"));

        _directory.CopyIn(_builds.Version2);

        Assert.True(await Eventually.TrueAsync(async () => await ReplyAsync("greet") == "greet v2", ReloadDeadline), _log.ToString());
        Assert.True(_registry.Current.TryGet("greet", out var greet));
        Assert.Equal("2.0.0", greet.Origin.Version);
        var reloaded = Assert.Single(_log.Lines, l => l.Message.Contains("Reloaded plugin", StringComparison.Ordinal));
        var hashes = Regex.Matches(reloaded.Message, "sha256 ([0-9a-f]{12})").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(
            [PluginFingerprint.Of(_builds.Version2, "GreeterPlugin").Hash, PluginFingerprint.Of(_builds.Version1, "GreeterPlugin").Hash],
            hashes);
    }

    [Fact]
    public async Task Copying_the_same_build_again_warns_that_nothing_changed_and_keeps_the_loaded_version()
    {
        _directory.CopyIn(_builds.Version1);
        await using var catalog = await StartCatalogAsync();
        var serving = LoadContextOf("greet");

        _directory.CopyIn(_builds.Version1);

        Assert.True(await Eventually.TrueAsync(
            () => _log.Has(LogEventLevel.Warning, "GreeterPlugin", "nothing to reload"), ChangeDeadline), _log.ToString());
        Assert.Same(serving, LoadContextOf("greet"));
        Assert.DoesNotContain(_log.Lines, l => l.Message.Contains("Reloaded plugin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_new_build_moved_onto_the_old_folder_lands_inside_it_and_is_named_in_a_warning()
    {
        _directory.CopyIn(_builds.Version1);
        await using var catalog = await StartCatalogAsync();

        // What `mv /tmp/GreeterPlugin plugins/GreeterPlugin` does when plugins/GreeterPlugin exists.
        var nested = Path.Combine(_directory.FolderOf("GreeterPlugin"), "GreeterPlugin");
        TemporaryPluginDirectory.CopyFolder(_builds.Version2, nested);

        Assert.True(await Eventually.TrueAsync(
            () => _log.Has(LogEventLevel.Warning, "GreeterPlugin", "holds a copy of itself in " + nested), ChangeDeadline), _log.ToString());
        Assert.Equal("greet v1", await ReplyAsync("greet"));
        Assert.DoesNotContain(_log.Lines, l => l.Message.Contains("nothing to reload", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Old_load_context_is_collected_after_a_reload()
    {
        _directory.CopyIn(_builds.Version1);
        await using var catalog = await StartCatalogAsync();
        Assert.Equal("greet v1", await ReplyAsync("greet"));
        var oldContext = WeakLoadContextOf("greet");

        _directory.CopyIn(_builds.Version2);
        Assert.True(await Eventually.TrueAsync(async () => await ReplyAsync("greet") == "greet v2", ReloadDeadline), _log.ToString());

        Assert.True(
            await Eventually.TrueAsync(
                () =>
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    GC.Collect();
                    return !oldContext.IsAlive;
                },
                CollectDeadline),
            "the load context of version 1 is still alive");
    }

    [Fact]
    public async Task A_reload_unloads_the_old_version_at_once()
    {
        _directory.CopyIn(_builds.Version1);
        await using var catalog = await StartCatalogAsync();
        // Held strongly on purpose: the runtime also unloads a context nobody references, but only an explicit
        // unload raises Unloading while someone still does.
        var oldContext = LoadContextOf("greet");
        var unloading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        oldContext.Unloading += _ => unloading.TrySetResult();

        _directory.CopyIn(_builds.Version2);

        await unloading.Task.WaitAsync(ReloadDeadline);
        Assert.Equal("greet v2", await ReplyAsync("greet"));
    }

    [Fact]
    public async Task A_plugin_folder_added_while_running_is_loaded()
    {
        _directory.CopyIn(_builds.Version1);
        await using var catalog = await StartCatalogAsync();

        _directory.CopyIn(_builds.Welcomer);

        Assert.True(await Eventually.TrueAsync(() => _registry.Current.TryGet("welcome", out _), ChangeDeadline), _log.ToString());
        Assert.Equal("welcome v1", await ReplyAsync("welcome"));
        Assert.Equal("greet v1", await ReplyAsync("greet"));
    }

    [Fact]
    public async Task Deleting_a_plugin_folder_removes_its_commands()
    {
        _directory.CopyIn(_builds.Version1);
        _directory.CopyIn(_builds.Welcomer);
        await using var catalog = await StartCatalogAsync();
        Assert.True(_registry.Current.TryGet("greet", out _));

        Directory.Delete(_directory.FolderOf("GreeterPlugin"), recursive: true);

        Assert.True(await Eventually.TrueAsync(() => !_registry.Current.TryGet("greet", out _), ChangeDeadline), _log.ToString());
        Assert.Equal("welcome v1", await ReplyAsync("welcome"));
        Assert.True(_log.Has(LogEventLevel.Information, "GreeterPlugin", "Unloaded plugin"), _log.ToString());
    }

    [Fact]
    public async Task Deleting_only_the_dll_removes_its_commands()
    {
        _directory.CopyIn(_builds.Version1);
        await using var catalog = await StartCatalogAsync();

        File.Delete(_directory.AssemblyOf("GreeterPlugin"));

        Assert.True(await Eventually.TrueAsync(() => !_registry.Current.TryGet("greet", out _), ChangeDeadline), _log.ToString());
    }

    [Fact]
    public async Task A_dll_that_is_not_an_assembly_is_logged_and_skipped_while_other_plugins_load()
    {
        _directory.CopyIn(_builds.Version1);
        WriteGarbage(_directory.AssemblyOf("Broken"));

        await using var catalog = await StartCatalogAsync();

        Assert.Equal("greet v1", await ReplyAsync("greet"));
        Assert.True(_log.Has(LogEventLevel.Error, "Broken", "not a .NET assembly"), _log.ToString());
    }

    [Fact]
    public async Task A_folder_without_its_dll_is_skipped_with_a_warning()
    {
        Directory.CreateDirectory(_directory.FolderOf("Empty"));

        await using var catalog = await StartCatalogAsync();

        Assert.Empty(_registry.Current.All);
        Assert.True(_log.Has(LogEventLevel.Warning, "Empty", "has no Empty.dll"), _log.ToString());
    }

    [Fact]
    public async Task Commands_that_cannot_be_created_or_named_are_skipped_and_the_rest_of_the_plugin_loads()
    {
        _directory.CopyIn(_builds.Welcomer);

        await using var catalog = await StartCatalogAsync();

        var welcomer = Assert.Single(_registry.Current.All);
        Assert.Equal("welcome", welcomer.Name);
        Assert.Equal("welcome v1", await ReplyAsync("welcome"));
        Assert.True(_log.Has(LogEventLevel.Warning, "Welcomer", "ThrowingConstructorCommand is skipped: its constructor threw"), _log.ToString());
        Assert.True(_log.Has(LogEventLevel.Warning, "Welcomer", "ThrowingNameCommand is skipped: its Name or Description threw"), _log.ToString());
        Assert.True(_log.Has(LogEventLevel.Warning, "Welcomer", "InvalidNameCommand is skipped: its name"), _log.ToString());
        Assert.Contains(_log.Lines, l => l.ExceptionMessage == "constructor refuses");
    }

    [Fact]
    public async Task A_reload_that_fails_keeps_the_previous_version_serving()
    {
        _directory.CopyIn(_builds.Version1);
        await using var catalog = await StartCatalogAsync();

        WriteGarbage(_directory.AssemblyOf("GreeterPlugin"));

        Assert.True(await Eventually.TrueAsync(
            () => _log.Has(LogEventLevel.Error, "GreeterPlugin", "was not reloaded"), ChangeDeadline), _log.ToString());
        Assert.Equal("greet v1", await ReplyAsync("greet"));

        _directory.CopyIn(_builds.Version2);
        Assert.True(await Eventually.TrueAsync(async () => await ReplyAsync("greet") == "greet v2", ReloadDeadline), _log.ToString());
    }

    [Fact]
    public async Task Disposing_the_catalog_removes_its_commands()
    {
        _directory.CopyIn(_builds.Version1);
        var catalog = await StartCatalogAsync();
        Assert.NotEmpty(_registry.Current.All);

        await catalog.DisposeAsync();

        Assert.Empty(_registry.Current.All);
    }

    [Fact]
    public void Configured_directory_is_resolved_against_the_configuration_folder()
    {
        var options = new GatewayOptions
        {
            BaseDirectory = _directory.Path,
            Plugins = new PluginOptions { Directory = "plugins" },
        };

        using var catalog = new PluginCatalog(options, _registry, _log.Logger);

        Assert.Equal(Path.Combine(_directory.Path, "plugins"), catalog.Directory);
    }

    private async Task<PluginCatalog> StartCatalogAsync()
    {
        var catalog = new PluginCatalog(_directory.Path, QuietPeriod, _registry, _log.Logger);
        await catalog.StartAsync(CancellationToken.None);
        return catalog;
    }

    /// <summary>Runs a command as the dispatcher would; null when no such command is registered.</summary>
    private async Task<string?> ReplyAsync(string command)
    {
        if (!_registry.Current.TryGet(command, out var descriptor))
        {
            return null;
        }

        var context = new FakeCommandContext(command, string.Empty, new FakeSession());
        await descriptor.ExecuteAsync(context);
        return string.Join('\n', context.Replies);
    }

    // Not inlined, so no local of the test method (kept alive to its end in Debug builds) points into the plugin.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private WeakReference WeakLoadContextOf(string command)
    {
        var context = LoadContextOf(command);
        Assert.True(context.IsCollectible);
        return new WeakReference(context);
    }

    private AssemblyLoadContext LoadContextOf(string command)
    {
        Assert.True(_registry.Current.TryGet(command, out var descriptor));
        return AssemblyLoadContext.GetLoadContext(descriptor.ExecuteAsync.Target!.GetType().Assembly)!;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private string AssemblyLocationOf(string command)
    {
        Assert.True(_registry.Current.TryGet(command, out var descriptor));
        return descriptor.ExecuteAsync.Target!.GetType().Assembly.Location;
    }

    private static void WriteGarbage(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = new byte[4096];
        new Random(42).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
    }
}
