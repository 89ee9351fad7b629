namespace WsGateway.Watching;

/// <summary>
/// Calls back once per key after the key has been quiet for a while. A build writes a plugin's folder in many small
/// steps (dll, pdb, deps.json, dependencies), and an editor saves a script as a temporary file, a rename and a touch;
/// acting on the first event would read a half-written folder or file.
/// </summary>
internal sealed class Debouncer : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (Timer Timer, long DueAt)> _pending = new(StringComparer.Ordinal);
    private readonly TimeSpan _quietPeriod;
    private readonly Action<string> _settled;
    private bool _disposed;

    /// <param name="quietPeriod">How long a key must see no <see cref="Touch"/> before <paramref name="settled"/> runs.</param>
    /// <param name="settled">Runs on a thread-pool thread, at most once per quiet period per key.</param>
    public Debouncer(TimeSpan quietPeriod, Action<string> settled)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quietPeriod, TimeSpan.Zero);
        _quietPeriod = quietPeriod;
        _settled = settled;
    }

    public void Touch(string key)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var dueAt = Environment.TickCount64 + (long)_quietPeriod.TotalMilliseconds;
            if (_pending.TryGetValue(key, out var pending))
            {
                // Only the timer re-arms itself (see OnTimer): re-arming it here could race with a callback that is
                // already running and lose this touch.
                _pending[key] = (pending.Timer, dueAt);
                return;
            }

            var timer = new Timer(OnTimer, key, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _pending[key] = (timer, dueAt);
            timer.Change(_quietPeriod, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var (timer, _) in _pending.Values)
            {
                timer.Dispose();
            }

            _pending.Clear();
        }
    }

    private void OnTimer(object? state)
    {
        var key = (string)state!;
        lock (_gate)
        {
            if (_disposed || !_pending.TryGetValue(key, out var pending))
            {
                return;
            }

            var remaining = pending.DueAt - Environment.TickCount64;
            if (remaining > 0)
            {
                pending.Timer.Change(TimeSpan.FromMilliseconds(remaining), Timeout.InfiniteTimeSpan);
                return;
            }

            _pending.Remove(key);
            pending.Timer.Dispose();
        }

        _settled(key);
    }
}
