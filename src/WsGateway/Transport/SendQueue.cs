using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace WsGateway.Transport;

/// <summary>
/// Runs the sends that fan-out schedules (<see cref="TransportConnection.ScheduleSend"/>) on the thread pool, one work
/// item for many connections, as Kestrel's IOQueue does. A connection is queued once however many messages arrive for
/// it before its turn; when its turn comes, one system call carries them all. So a broadcast costs one write per
/// recipient per burst of messages, not per message, and the broadcaster never waits for a socket.
/// </summary>
internal sealed class SendQueue : IThreadPoolWorkItem
{
    // One queue per core (as Kestrel): sends to different connections run in parallel, and a queue's work item drains
    // many connections per thread-pool dispatch.
    private static readonly SendQueue[] Queues = [.. Enumerable.Range(0, Math.Clamp(Environment.ProcessorCount, 1, 16)).Select(_ => new SendQueue())];

    private readonly ConcurrentQueue<TransportConnection> _connections = new();
    private int _running;

    /// <summary>
    /// The queue of <paramref name="connection"/>: always the same one (its identity hash, which spreads connections
    /// over the queues), and no field for it in every connection.
    /// </summary>
    public static SendQueue For(TransportConnection connection) =>
        Queues[(int)((uint)RuntimeHelpers.GetHashCode(connection) % (uint)Queues.Length)];

    /// <summary>Queues <paramref name="connection"/>'s send; the caller makes sure it is queued once at a time.</summary>
    public void Schedule(TransportConnection connection)
    {
        _connections.Enqueue(connection);
        if (Interlocked.Exchange(ref _running, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        while (true)
        {
            while (_connections.TryDequeue(out var connection))
            {
                connection.RunScheduledSend();
            }

            // A connection queued after our last look saw _running set and relies on us: look once more.
            Volatile.Write(ref _running, 0);
            if (_connections.IsEmpty || Interlocked.Exchange(ref _running, 1) != 0)
            {
                return;
            }
        }
    }
}
