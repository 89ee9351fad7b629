namespace WsGateway.Transport;

/// <summary>
/// Holds back the sends that fan-out schedules on this thread (<see cref="TransportConnection.ScheduleSend"/>) until
/// the batch ends, then queues them all. A command session runs the requests that are waiting in one synchronous
/// round; inside a batch, every broadcast of the round reaches each recipient's send queue once, so the recipient
/// gets all of them in one system call however the send queue's thread and the broadcaster are scheduled. A
/// connection with 64 KiB or more waiting is not held (or is let go at once): a long round must not keep a slow
/// reader's send from starting, or its send buffer limit from applying.
/// </summary>
/// <remarks>
/// Thread-static, so <see cref="Begin"/> and <see cref="End"/> must be called on the same thread with nothing awaited
/// in between (the round's code is synchronous: the session ends the batch before it awaits a command).
/// </remarks>
internal static class FanOutBatch
{
    [ThreadStatic]
    private static List<TransportConnection>? t_pending;

    [ThreadStatic]
    private static int t_depth;

    public static void Begin() => t_depth++;

    /// <summary>Ends the batch; the outermost end queues every send held back.</summary>
    public static void End()
    {
        if (--t_depth > 0 || t_pending is not { Count: > 0 } pending)
        {
            return;
        }

        foreach (var connection in pending)
        {
            connection.ReleaseHeldSend();
        }

        pending.Clear();
    }

    /// <returns>True when a batch is open on this thread and now holds <paramref name="connection"/>'s send.</returns>
    public static bool TryHold(TransportConnection connection)
    {
        if (t_depth == 0)
        {
            return false;
        }

        (t_pending ??= []).Add(connection);
        return true;
    }
}
