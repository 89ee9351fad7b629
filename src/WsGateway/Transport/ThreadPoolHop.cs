using System.Runtime.CompilerServices;

namespace WsGateway.Transport;

/// <summary>
/// Awaited, continues on a thread-pool thread, or at once when already on one (see <see cref="SocketThread.Leave"/>).
/// Not <c>Task.Yield</c>: that always queues, and a thread-pool thread is fine where it is.
/// </summary>
internal readonly struct ThreadPoolHop : ICriticalNotifyCompletion
{
    public ThreadPoolHop GetAwaiter() => this;

    public bool IsCompleted => Thread.CurrentThread.IsThreadPoolThread;

    public void GetResult()
    {
    }

    public void OnCompleted(Action continuation) =>
        ThreadPool.QueueUserWorkItem(static run => run(), continuation, preferLocal: false);

    // The async method builders flow the execution context themselves and call this one.
    public void UnsafeOnCompleted(Action continuation) =>
        ThreadPool.UnsafeQueueUserWorkItem(static run => run(), continuation, preferLocal: false);
}
