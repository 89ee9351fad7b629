namespace WsGateway.Scripts;

/// <summary>
/// Collapses the bursts of events one save produces (editors write a temporary file, rename it, touch it again)
/// into one notification per file, <c>delay</c> after the last event for that file.
/// </summary>
internal sealed class FileDebouncer : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Timer> _timers = new(StringComparer.Ordinal);
    private readonly TimeSpan _delay;
    private readonly Action<string> _quiet;
    private bool _disposed;

    /// <param name="delay">How long a file must see no event before <paramref name="quiet"/> is called.</param>
    /// <param name="quiet">Called on a timer thread; must return quickly.</param>
    public FileDebouncer(TimeSpan delay, Action<string> quiet)
    {
        _delay = delay;
        _quiet = quiet;
    }

    /// <summary>Starts, or restarts, the quiet period of <paramref name="fileName"/>.</summary>
    public void Touch(string fileName)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (!_timers.TryGetValue(fileName, out var timer))
            {
                timer = new Timer(_ => Fire(fileName));
                _timers.Add(fileName, timer);
            }

            timer.Change(_delay, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var timer in _timers.Values)
            {
                timer.Dispose();
            }

            _timers.Clear();
        }
    }

    private void Fire(string fileName)
    {
        lock (_gate)
        {
            if (_disposed || !_timers.Remove(fileName, out var timer))
            {
                return;
            }

            timer.Dispose();
        }

        // An event that slips in between the removal and this call starts a new timer: the file is read after
        // that event either way, so nothing is missed.
        _quiet(fileName);
    }
}
