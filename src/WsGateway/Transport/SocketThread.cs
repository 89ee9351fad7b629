using System.Runtime.CompilerServices;

namespace WsGateway.Transport;

/// <summary>
/// With inline completions (<c>Listen:InlineCompletions</c>) a socket operation that completes later
/// resumes its awaiter on the runtime's socket engine thread, which serves every socket of its share: whatever runs
/// there before the next await holds all of them up. The gateway keeps only short, non-blocking work there (the
/// receive loop's framing, the echo, sending); everything that can take time, log or run plugin code leaves it first.
/// </summary>
/// <remarks>
/// The engine's threads are not thread-pool threads, which is how <see cref="Leave"/> tells them apart (and how
/// <see cref="InlineCompletions.ProbeAsync"/> checks that completions run inline at all). Without inline completions
/// every completion already runs on the thread pool, and leaving costs one check.
/// </remarks>
internal static class SocketThread
{
    /// <summary>Continues on a thread-pool thread: <c>await SocketThread.Leave();</c>. Free when already on one.</summary>
    public static ThreadPoolHop Leave() => default;

    /// <summary>
    /// <paramref name="send"/>, except that when it has to wait (the peer's socket buffer was full), its awaiter
    /// continues on the thread pool rather than where the send completed.
    /// </summary>
    public static ValueTask LeaveAfter(ValueTask send) => send.IsCompleted ? send : LeaveAfterAsync(send);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask LeaveAfterAsync(ValueTask send)
    {
        try
        {
            await send;
        }
        finally
        {
            await Leave();
        }
    }
}
