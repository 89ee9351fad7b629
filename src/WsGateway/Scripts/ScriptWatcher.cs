using System.Threading.Channels;
using Serilog;
using WsGateway.Watching;

namespace WsGateway.Scripts;

/// <summary>
/// Watches the scripts directory and reports, per script file, that it changed and then went quiet.
/// </summary>
internal sealed class ScriptWatcher : IDisposable
{
    /// <summary>Reported instead of a file name when events were lost: every script must be looked at again.</summary>
    public const string Everything = "";

    private const string Extension = ".csx";

    private readonly string _directory;
    private readonly ILogger _log;
    private readonly FileSystemWatcher _watcher;
    private readonly Debouncer _debouncer;
    private readonly Channel<string> _changes =
        Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <param name="directory">An existing, full path.</param>
    /// <param name="quietPeriod">How long a file must be quiet after a write before it is reported.</param>
    public ScriptWatcher(string directory, TimeSpan quietPeriod, ILogger log)
    {
        _directory = directory;
        _log = log;
        _debouncer = new Debouncer(quietPeriod, fileName => _changes.Writer.TryWrite(fileName));

        // No name filter: a rename from a temporary name must be seen whichever of its two names is a script.
        _watcher = new FileSystemWatcher(directory)
        {
            IncludeSubdirectories = false,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Created += OnChanged;
        _watcher.Changed += OnChanged;
        _watcher.Deleted += OnChanged;
        _watcher.Renamed += OnRenamed;
        _watcher.Error += OnError;
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Names of script files that changed (relative to the directory), or <see cref="Everything"/>.</summary>
    public ChannelReader<string> Changes => _changes.Reader;

    /// <summary>The script files in <paramref name="directory"/> now, in ordinal order.</summary>
    public static IEnumerable<string> FilesOnDisk(string directory) =>
        Directory.EnumerateFiles(directory)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(IsScriptFile)
            .Order(StringComparer.Ordinal);

    /// <summary>Reports <paramref name="fileName"/> again after the next quiet period (a read that failed, say).</summary>
    public void Touch(string fileName) => _debouncer.Touch(fileName);

    public void Dispose()
    {
        _watcher.EnableRaisingEvents = false;
        _watcher.Dispose();
        _debouncer.Dispose();
        _changes.Writer.TryComplete();
    }

    /// <summary>Top-level <c>*.csx</c> files, except hidden ones (editors' lock and backup files start with a dot).</summary>
    private static bool IsScriptFile(string fileName) =>
        fileName.EndsWith(Extension, StringComparison.OrdinalIgnoreCase)
        && !fileName.StartsWith('.')
        && fileName.IndexOfAny(['/', '\\']) < 0;

    private void OnChanged(object sender, FileSystemEventArgs e) => TouchIfScript(e.Name);

    private void OnRenamed(object sender, RenamedEventArgs e)
    {
        TouchIfScript(e.OldName);
        TouchIfScript(e.Name);
    }

    private void OnError(object sender, ErrorEventArgs e)
    {
        _log.Warning(e.GetException(), "Script watcher lost events in {Directory}; rescanning", _directory);
        _changes.Writer.TryWrite(Everything);
    }

    private void TouchIfScript(string? fileName)
    {
        if (fileName is not null && IsScriptFile(fileName))
        {
            _debouncer.Touch(fileName);
        }
    }
}
