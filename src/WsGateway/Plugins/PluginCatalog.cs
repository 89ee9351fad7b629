using System.Threading.Channels;
using Serilog;
using WsGateway.Authentication;
using WsGateway.Commands;
using WsGateway.Diagnostics;
using WsGateway.Options;
using WsGateway.Watching;

namespace WsGateway.Plugins;

/// <summary>
/// Loads every plugin in the plugin directory (<c>&lt;Name&gt;/&lt;Name&gt;.dll</c>) into the
/// <see cref="CommandRegistry"/> under the source key <c>plugin:&lt;Name&gt;</c>, then keeps the registry in step
/// with the directory: a new folder loads, a rebuilt DLL reloads, a deleted folder or DLL unloads.
/// </summary>
/// <remarks>
/// <para>
/// A reload loads the new version into a new context next to the old one, swaps the registry, and only then
/// unloads the old one; if the new version fails, the old one keeps serving. McMaster's own hot reload
/// (<c>PluginConfig.EnableHotReload</c>) unloads first and reloads after, watches only one folder and does not
/// debounce, so the catalog watches and reloads itself.
/// </para>
/// <para>
/// Calls already running on an old version finish on it. The catalog keeps no reference into an unloaded version,
/// so the runtime frees it once those calls are done.
/// </para>
/// </remarks>
internal sealed class PluginCatalog : IAsyncDisposable, IDisposable
{
    private readonly TimeSpan _quietPeriod;
    private readonly CommandRegistry _registry;
    private readonly ILogger _log;

    // Serializes loads against each other and against disposal; loads are short and rare.
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LoadedPlugin> _loaded = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private DirectoryWatcher? _watcher;
    private Task _watching = Task.CompletedTask;
    private bool _disposed;

    /// <summary>Uses <c>Plugins:Directory</c> (relative to the configuration's folder) and <c>Plugins:DebounceMilliseconds</c>.</summary>
    public PluginCatalog(GatewayOptions options, CommandRegistry registry, ILogger log)
        : this(
            options.ResolvePath(options.Plugins.Directory),
            TimeSpan.FromMilliseconds(options.Plugins.DebounceMilliseconds),
            registry,
            log)
    {
    }

    /// <param name="directory">The plugin directory; created if missing.</param>
    /// <param name="quietPeriod">How long a plugin folder must see no change before it is (re)loaded.</param>
    /// <param name="registry">Where the commands are published.</param>
    /// <param name="log">The gateway's logger.</param>
    public PluginCatalog(string directory, TimeSpan quietPeriod, CommandRegistry registry, ILogger log)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (quietPeriod < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(
                nameof(quietPeriod), quietPeriod, "Plugins:DebounceMilliseconds must be zero or more.");
        }

        Directory = Path.GetFullPath(directory);
        _quietPeriod = quietPeriod;
        _registry = registry;
        _log = log.ForContext<PluginCatalog>();
    }

    /// <summary>Where the plugins' authenticators are published (under the same source keys as their commands).</summary>
    internal AuthenticatorRegistry? Authenticators { get; init; }

    /// <summary>Where plugins' session hooks go; none are loaded without it.</summary>
    internal SessionHookRegistry? Hooks { get; init; }

    /// <summary>Where each load, failed load and unload is recorded for the admin API; none are without it.</summary>
    internal ReloadHistory? Reloads { get; init; }

    /// <summary>Raised after each attempt to load a plugin version: its name and whether it went live.</summary>
    public event Action<string, bool>? LoadAttempted;

    /// <summary>The full path of the watched plugin directory.</summary>
    public string Directory { get; }

    /// <summary>
    /// Loads every plugin present, then watches the directory until disposed. A plugin that fails to load is
    /// logged and skipped; it never fails the start.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_watcher is not null)
            {
                throw new InvalidOperationException("The plugin catalog has already been started.");
            }

            if (!System.IO.Directory.Exists(Directory))
            {
                System.IO.Directory.CreateDirectory(Directory);
                _log.Information("Created the plugin directory {Directory}", Directory);
            }

            // Watch before the first scan, so a change made during the scan is not missed.
            _watcher = new DirectoryWatcher(Directory, includeSubdirectories: true, _quietPeriod, PluginFolderOf, _log);
        }

        foreach (var folder in System.IO.Directory.EnumerateDirectories(Directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            Refresh(Path.GetFileName(folder));
        }

        _log.Information("Watching {Directory} for plugins; {Count} loaded", Directory, LoadedCount());
        _watching = WatchAsync(_watcher.Changes, _stopping.Token);
        return Task.CompletedTask;
    }

    /// <summary>Stops watching and unloads every plugin, removing its commands from the registry.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _stopping.Cancel();
        _watcher?.Dispose();
        lock (_gate)
        {
            foreach (var plugin in _loaded.Values)
            {
                _registry.RemoveSource(PluginActivator.SourceKey(plugin.Name));
                Authenticators?.RemoveSource(PluginActivator.SourceKey(plugin.Name));
        Hooks?.RemoveSource(PluginActivator.SourceKey(plugin.Name));
                Hooks?.RemoveSource(PluginActivator.SourceKey(plugin.Name));
                plugin.Dispose();
            }

            _loaded.Clear();
        }
    }

    /// <summary>As <see cref="Dispose"/>, and waits for the watch loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        await _watching.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task WatchAsync(ChannelReader<string> changes, CancellationToken stopping)
    {
        try
        {
            await foreach (var folder in changes.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                if (folder == DirectoryWatcher.Everything)
                {
                    RefreshAll();
                }
                else
                {
                    Refresh(folder);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private void RefreshAll()
    {
        string[] known;
        lock (_gate)
        {
            known = [.. _loaded.Keys];
        }

        var present = System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.EnumerateDirectories(Directory).Select(Path.GetFileName).OfType<string>()
            : [];
        foreach (var name in known.Union(present, StringComparer.Ordinal))
        {
            Refresh(name);
        }
    }

    /// <summary>Brings one plugin in line with its folder: load, reload or unload. Never throws.</summary>
    private void Refresh(string name)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                RefreshLocked(name);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A bug here must not stop the watch loop: the other plugins still need it.
                _log.Error(ex, "Plugin {Plugin} could not be refreshed", name);
            }
        }
    }

    private void RefreshLocked(string name)
    {
        var folder = Path.Combine(Directory, name);
        var assemblyPath = Path.Combine(folder, name + ".dll");
        _loaded.TryGetValue(name, out var current);
        var nested = System.IO.Directory.Exists(folder) ? PluginFingerprint.NestedCopyOf(folder, name) : null;
        if (nested is not null)
        {
            _log.Warning(
                "Plugin folder {Plugin} holds a copy of itself in {Nested}, which is never loaded: a folder moved or " +
                "copied onto an existing one lands inside it. To update a plugin, publish straight into its folder " +
                "(dotnet publish -c Release -o {Folder}), then delete {Nested}",
                name, nested, folder, nested);
        }

        if (!File.Exists(assemblyPath))
        {
            if (current is not null)
            {
                Unload(current);
            }
            else if (System.IO.Directory.Exists(folder) && nested is null)
            {
                _log.Warning("Plugin folder {Plugin} has no {Assembly}; skipped", name, name + ".dll");
            }

            return;
        }

        PluginFingerprint fingerprint;
        try
        {
            fingerprint = PluginFingerprint.Of(folder, name);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Still being written or removed: the watcher reports the folder again once it is quiet.
            _log.Warning("Plugin {Plugin} could not be read ({Reason}); it is looked at again on its next change", name, ex.Message);
            return;
        }

        if (current is not null && current.Fingerprint.Hash == fingerprint.Hash)
        {
            if (nested is null)
            {
                _log.Warning(
                    "Plugin {Plugin} changed on disk, but its files are those of the version serving ({Version}, {Fingerprint}); " +
                    "nothing to reload (was it rebuilt from unchanged source, or deployed somewhere else?)",
                    name, current.Version, fingerprint);
            }

            return;
        }

        LoadedPlugin next;
        try
        {
            next = PluginActivator.Load(name, assemblyPath, fingerprint, _log);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Any failure of a plugin's code or files is the plugin's; the gateway and the other plugins go on.
            var reason = ex is PluginLoadException ? ex.Message : "loading it threw " + ex.GetType().Name;
            var cause = ex is PluginLoadException { InnerException: { } inner } ? inner : ex;
            if (current is null)
            {
                _log.Error(cause, "Plugin {Plugin} ({Fingerprint}) is skipped: {Reason}", name, fingerprint, reason);
            }
            else
            {
                _log.Error(cause, "Plugin {Plugin} ({Fingerprint}) was not reloaded: {Reason}; version {Version} ({PreviousFingerprint}) keeps serving",
                    name, fingerprint, reason, current.Version, current.Fingerprint);
            }

            Reloads?.Add(new ReloadRecord(DateTimeOffset.UtcNow, "plugin", name, null, fingerprint.Hash, "failed",
                [current is null ? reason : $"{reason}; version {current.Version} ({current.Fingerprint.Hash}) keeps serving"]));
            LoadAttempted?.Invoke(name, false);
            return;
        }

        // Swap first, unload after: a call that read the old table a moment ago still finds the old code there.
        _registry.SetSource(PluginActivator.SourceKey(name), next.Commands);
        Authenticators?.SetSource(PluginActivator.SourceKey(name), next.Authenticators);
        Hooks?.SetSource(PluginActivator.SourceKey(name), next.Hooks);
        _loaded[name] = next;
        string[] commandNames = [.. next.Commands.Select(c => c.Name), .. next.Authenticators.Select(a => "authenticator " + a.Name), .. next.Hooks.Select(h => "session hook " + h.GetType().Name)];
        if (current is null)
        {
            _log.Information("Loaded plugin {Plugin} {Version} ({Fingerprint}) with {Commands}",
                name, next.Version, fingerprint, commandNames);
        }
        else
        {
            current.Dispose();
            _log.Information("Reloaded plugin {Plugin} {Version} ({Fingerprint}), was {PreviousVersion} ({PreviousFingerprint}), with {Commands}",
                name, next.Version, fingerprint, current.Version, current.Fingerprint, commandNames);
        }

        Reloads?.Add(new ReloadRecord(DateTimeOffset.UtcNow, "plugin", name, next.Version, fingerprint.Hash, "loaded",
            current is null ? [] : [$"replaced {current.Version} ({current.Fingerprint.Hash})"]));
        LoadAttempted?.Invoke(name, true);
    }

    private void Unload(LoadedPlugin plugin)
    {
        _registry.RemoveSource(PluginActivator.SourceKey(plugin.Name));
        Authenticators?.RemoveSource(PluginActivator.SourceKey(plugin.Name));
        Hooks?.RemoveSource(PluginActivator.SourceKey(plugin.Name));
        _loaded.Remove(plugin.Name);
        plugin.Dispose();
        _log.Information("Unloaded plugin {Plugin} {Version}: its folder or assembly is gone", plugin.Name, plugin.Version);
        Reloads?.Add(new ReloadRecord(DateTimeOffset.UtcNow, "plugin", plugin.Name, plugin.Version, plugin.Fingerprint.Hash, "removed", []));
    }

    /// <summary>The plugin folder a changed path (relative to the plugin directory) belongs to: its first segment.</summary>
    private static string PluginFolderOf(string relativePath)
    {
        var separator = relativePath.AsSpan().IndexOfAny(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return separator < 0 ? relativePath : relativePath[..separator];
    }

    private int LoadedCount()
    {
        lock (_gate)
        {
            return _loaded.Count;
        }
    }
}
