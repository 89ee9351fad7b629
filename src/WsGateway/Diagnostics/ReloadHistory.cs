namespace WsGateway.Diagnostics;

/// <summary>
/// The latest plugin loads and script compiles of this node, newest last, for the admin API
/// (<c>GET /api/v1/reloads</c>); older ones fall off past <see cref="Capacity"/>. Written by the catalogs' reload loops,
/// read by API requests: a small lock around copying references, never around I/O.
/// </summary>
internal sealed class ReloadHistory
{
    public const int Capacity = 200;

    private readonly Queue<ReloadRecord> _records = new();
    private readonly Lock _gate = new();

    public void Add(ReloadRecord record)
    {
        lock (_gate)
        {
            if (_records.Count == Capacity)
            {
                _records.Dequeue();
            }

            _records.Enqueue(record);
        }
    }

    public IReadOnlyList<ReloadRecord> Snapshot()
    {
        lock (_gate)
        {
            return [.. _records];
        }
    }
}
