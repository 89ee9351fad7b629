using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace WsGateway.Host;

/// <summary>
/// Whether the last load of the configuration file worked. When a reload fails (a half-saved file, a JSON typo, a
/// deleted file) the JSON provider empties its data and still signals a change: read as is, that would quietly put
/// every key back to its default.
/// </summary>
internal sealed class ConfigurationFileStatus
{
    private readonly string _path;
    private string? _failure;
    private volatile string? _loadError;

    public ConfigurationFileStatus(string path) => _path = path;

    /// <summary>Why the file's data cannot be used, naming the file; null when its last load worked.</summary>
    public string? LoadError => _loadError;

    /// <summary>
    /// The provider's load-failure handler. The failure is remembered instead of thrown: a reload runs on the file
    /// watcher's thread, where an exception would end the process.
    /// </summary>
    public void OnLoadException(FileLoadExceptionContext context)
    {
        // The outer exceptions say "could not load" and "could not parse"; the innermost says where.
        var messages = new List<string>();
        for (var exception = context.Exception; exception is not null; exception = exception.InnerException)
        {
            messages.Add(exception.Message);
        }

        _failure = string.Join(" ", messages.Skip(messages.Count > 1 ? 1 : 0));
        context.Ignore = true;
    }

    /// <summary>Follows the loads of <paramref name="provider"/>, starting with the one already made.</summary>
    public IDisposable Follow(IConfigurationProvider provider)
    {
        Settle();
        return ChangeToken.OnChange(provider.GetReloadToken, Settle);
    }

    private void Settle()
    {
        // A load calls OnLoadException (if it fails) and then signals, on one thread: the failure seen here is this load's.
        var failure = _failure ?? (File.Exists(_path) ? null : "the file was deleted or moved");
        _failure = null;
        _loadError = failure is null ? null : $"{_path}: {failure}";
    }
}
