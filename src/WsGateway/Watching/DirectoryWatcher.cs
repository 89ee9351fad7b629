using System.Threading.Channels;
using Serilog;

namespace WsGateway.Watching;

/// <summary>
/// Watches a directory and reports, per key (a plugin folder, a script file), that what the key names changed and then
/// went quiet, or <see cref="Everything"/> when events were lost and everything must be looked at again.
/// </summary>
internal sealed class DirectoryWatcher : IDisposable
{
    /// <summary>Reported instead of a key when events were lost: every entry must be looked at again.</summary>
    public const string Everything = "";

    private readonly string _directory;
    private readonly Func<string, string?> _keyOf;
    private readonly ILogger _log;
    private readonly FileSystemWatcher _watcher;
    private readonly Debouncer _debouncer;
    private readonly Channel<string> _changes =
        Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <param name="directory">An existing, full path.</param>
    /// <param name="includeSubdirectories">Whether changes below the directory's own entries count.</param>
    /// <param name="quietPeriod">How long a key must be quiet after a change before it is reported.</param>
    /// <param name="keyOf">The key a changed path (relative to the directory) belongs to, or null to ignore it.</param>
    public DirectoryWatcher(string directory, bool includeSubdirectories, TimeSpan quietPeriod, Func<string, string?> keyOf, ILogger log)
    {
        _directory = directory;
        _keyOf = keyOf;
        _log = log;
        _debouncer = new Debouncer(quietPeriod, key => _changes.Writer.TryWrite(key));

        // No name filter: a rename from a temporary name must be seen whichever of its two names counts.
        _watcher = new FileSystemWatcher(directory)
        {
            IncludeSubdirectories = includeSubdirectories,
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

    /// <summary>Keys whose entries changed, or <see cref="Everything"/>.</summary>
    public ChannelReader<string> Changes => _changes.Reader;

    /// <summary>Reports <paramref name="key"/> again after the next quiet period (a read that failed, say).</summary>
    public void Touch(string key) => _debouncer.Touch(key);

    public void Dispose()
    {
        _watcher.EnableRaisingEvents = false;
        _watcher.Dispose();
        _debouncer.Dispose();
        _changes.Writer.TryComplete();
    }

    private void OnChanged(object sender, FileSystemEventArgs e) => TouchPath(e.FullPath);

    private void OnRenamed(object sender, RenamedEventArgs e)
    {
        TouchPath(e.OldFullPath);
        TouchPath(e.FullPath);
    }

    private void OnError(object sender, ErrorEventArgs e)
    {
        // Usually an overflow of the kernel's event queue: some changes were lost.
        _log.Warning(e.GetException(), "Watching {Directory} lost events; everything in it is looked at again", _directory);
        _debouncer.Touch(Everything);
    }

    private void TouchPath(string path)
    {
        var relative = Path.GetRelativePath(_directory, path);
        if (Path.IsPathRooted(relative) || relative.StartsWith("..", StringComparison.Ordinal) || relative == ".")
        {
            return;
        }

        if (_keyOf(relative) is { Length: > 0 } key)
        {
            _debouncer.Touch(key);
        }
    }
}
