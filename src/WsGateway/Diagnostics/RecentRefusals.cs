using System.Collections.Concurrent;
using System.Net;

namespace WsGateway.Diagnostics;

/// <summary>
/// Handshake refusals of this node: a count per reason since start and the latest <see cref="Capacity"/>, for the
/// admin API (<c>GET /api/v1/refusals</c>). A flood of refusals costs one small record each under a short lock that
/// covers no I/O; the counts take no lock.
/// </summary>
internal sealed class RecentRefusals
{
    public const int Capacity = 100;

    private readonly Queue<HandshakeRefusal> _latest = new();
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Add(string reason, IPEndPoint? remote, string? path)
    {
        _counts.AddOrUpdate(reason, 1, static (_, count) => count + 1);
        var refusal = new HandshakeRefusal(DateTimeOffset.UtcNow, reason, remote?.ToString(), path);
        lock (_gate)
        {
            if (_latest.Count == Capacity)
            {
                _latest.Dequeue();
            }

            _latest.Enqueue(refusal);
        }
    }

    /// <summary>The count of each reason since start, by reason.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Counts() => [.. _counts.OrderBy(c => c.Key, StringComparer.Ordinal)];

    /// <summary>The latest refusals, newest last.</summary>
    public IReadOnlyList<HandshakeRefusal> Latest()
    {
        lock (_gate)
        {
            return [.. _latest];
        }
    }
}
