namespace WsGateway.Transport;

/// <summary>
/// Current while plugin and script code runs (commands, authenticators), so that their awaits resume on the thread
/// pool: an await on the plugin's own socket I/O (an HTTP call, a database) would otherwise resume on the socket
/// engine's thread (see <see cref="SocketThread"/>), and whatever the plugin does next, blocking included, would hold up
/// every socket there. An await with <c>ConfigureAwait(false)</c> opts out, as it does of any context.
/// </summary>
internal sealed class ThreadPoolSynchronizationContext : SynchronizationContext
{
    public static readonly ThreadPoolSynchronizationContext Instance = new();

    private ThreadPoolSynchronizationContext()
    {
    }

    /// <summary>Makes this context current until the scope is disposed; then the previous one is current again.</summary>
    public static Scope Enter()
    {
        var previous = Current;
        SetSynchronizationContext(Instance);
        return new Scope(previous);
    }

    public override void Post(SendOrPostCallback callback, object? state) =>
        ThreadPool.UnsafeQueueUserWorkItem(new PostedCallback(callback, state), preferLocal: false);

    public override SynchronizationContext CreateCopy() => this;

    public readonly struct Scope(SynchronizationContext? previous) : IDisposable
    {
        public void Dispose() => SetSynchronizationContext(previous);
    }

    /// <summary>Runs with this context current, so the awaits after the first keep resuming on the thread pool too.</summary>
    private sealed class PostedCallback(SendOrPostCallback callback, object? state) : IThreadPoolWorkItem
    {
        public void Execute()
        {
            SetSynchronizationContext(Instance);
            try
            {
                callback(state);
            }
            finally
            {
                SetSynchronizationContext(null);
            }
        }
    }
}
