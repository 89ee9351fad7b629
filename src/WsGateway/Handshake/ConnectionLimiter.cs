using System.Collections.Concurrent;
using System.Net;
using WsGateway.Options;

namespace WsGateway.Handshake;

/// <summary>Counts open WebSocket connections, in all and per remote IP, against the configured maximums.</summary>
internal sealed class ConnectionLimiter
{
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private int _total;

    /// <summary>Takes a slot for a connection about to be upgraded; give it back with <see cref="Release"/>.</summary>
    /// <returns>Null when a slot was taken, else why not.</returns>
    public string? TryAcquire(IPAddress? address, LimitsOptions limits)
    {
        if (Interlocked.Increment(ref _total) > limits.MaxConnections && limits.MaxConnections > 0)
        {
            Interlocked.Decrement(ref _total);
            return $"The gateway is at its limit of {limits.MaxConnections} connections; try again later.";
        }

        if (address is not null)
        {
            int count = _perAddress.AddOrUpdate(address, 1, static (_, n) => n + 1);
            if (count > limits.MaxConnectionsPerIp && limits.MaxConnectionsPerIp > 0)
            {
                Release(address);
                return $"Too many connections from {address} (limit {limits.MaxConnectionsPerIp}); try again later.";
            }
        }

        return null;
    }

    public void Release(IPAddress? address)
    {
        Interlocked.Decrement(ref _total);
        if (address is null)
        {
            return;
        }

        int count = _perAddress.AddOrUpdate(address, 0, static (_, n) => n - 1);
        if (count <= 0)
        {
            // Removes the entry only if no other connection from that address raced in meanwhile.
            _perAddress.TryRemove(new KeyValuePair<IPAddress, int>(address, 0));
        }
    }
}
