using System.Threading.Channels;
using Serilog;
using WsGateway.Watching;

namespace WsGateway.Plugins;

/// <summary>
/// Watches the plugin directory and reports, per plugin folder, that the folder changed and then went quiet.
/// </summary>
internal sealed class PluginWatcher : IDisposable
{
    /// <summary>Reported instead of a folder name when events were lost: every plugin must be looked at again.</summary>
    public const string Everything = "";

    private readonly string _directory;
    private readonly ILogger _log;
    private readonly FileSystemWatcher _watcher;
    private readonly Debouncer _debouncer;
    private readonly Channel<string> _changes =
        Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <param name="directory">An existing, full path.</param>
    /// <param name="quietPeriod">How long a plugin folder must be quiet before it is reported.</param>
    public PluginWatcher(string directory, TimeSpan quietPeriod, ILogger log)
    {
        _directory = directory;
        _log = log;
        _debouncer = new Debouncer(quietPeriod, folder => _changes.Writer.TryWrite(folder));
        _watcher = new FileSystemWatcher(directory)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite |
                           NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Created += OnChanged;
        _watcher.Changed += OnChanged;
        _watcher.Deleted += OnChanged;
        _watcher.Renamed += OnRenamed;
        _watcher.Error += OnError;
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Names of plugin folders (direct children of the directory) that changed, or <see cref="Everything"/>.</summary>
    public ChannelReader<string> Changes => _changes.Reader;

    public void Dispose()
    {
        _watcher.EnableRaisingEvents = false;
        _watcher.Dispose();
        _debouncer.Dispose();
        _changes.Writer.TryComplete();
    }

    private void OnChanged(object sender, FileSystemEventArgs e) => Touch(e.FullPath);

    private void OnRenamed(object sender, RenamedEventArgs e)
    {
        Touch(e.OldFullPath);
        Touch(e.FullPath);
    }

    private void OnError(object sender, ErrorEventArgs e)
    {
        // Usually an overflow of the kernel's event queue: some changes were lost, so look at every plugin.
        _log.Warning(e.GetException(), "Watching {Directory} lost events; every plugin will be checked again", _directory);
        _debouncer.Touch(Everything);
    }

    private void Touch(string path)
    {
        var relative = Path.GetRelativePath(_directory, path);
        if (Path.IsPathRooted(relative) || relative.StartsWith("..", StringComparison.Ordinal) || relative == ".")
        {
            return;
        }

        var separator = relative.AsSpan().IndexOfAny(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        var folder = separator < 0 ? relative : relative[..separator];
        _debouncer.Touch(folder);
    }
}
