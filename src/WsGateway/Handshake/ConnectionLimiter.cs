using System.Collections.Concurrent;
using System.Net;
using WsGateway.Options;

namespace WsGateway.Handshake;

/// <summary>Counts open WebSocket connections, in all and per remote IP, against the configured maximums.</summary>
internal sealed class ConnectionLimiter
{
    private readonly ConcurrentDictionary<IPAddress, int> _perAddress = new();
    private int _total;

    /// <summary>A claim for one accepted connection, not holding a slot yet; its one owner disposes it when the connection ends.</summary>
    public Slot NewSlot() => new(this);

    /// <summary>Takes a slot for a connection about to be upgraded; give it back with <see cref="Release"/>.</summary>
    /// <returns>Null when a slot was taken, else why not.</returns>
    private string? TryAcquire(IPAddress? address, LimitsOptions limits)
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

    private void Release(IPAddress? address)
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

    /// <summary>
    /// One accepted connection's slot: taken (or refused) during the handshake, given back once by
    /// <see cref="Dispose"/>, whichever way the connection ends. The server's handling of the connection owns it
    /// (a using), so no other code releases slots and an exception anywhere in between cannot leak one.
    /// </summary>
    public sealed class Slot(ConnectionLimiter limiter) : IDisposable
    {
        private IPAddress? _address;
        private int _held;

        /// <returns>Null when the slot was taken, else why not.</returns>
        public string? TryTake(IPAddress? address, LimitsOptions limits)
        {
            if (Volatile.Read(ref _held) != 0)
            {
                throw new InvalidOperationException("This connection already holds a slot.");
            }

            var refusal = limiter.TryAcquire(address, limits);
            if (refusal is null)
            {
                _address = address;
                Volatile.Write(ref _held, 1);
            }

            return refusal;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _held, 0) != 0)
            {
                limiter.Release(_address);
            }
        }
    }
}
