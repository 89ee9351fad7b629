using WsGateway.Options;

namespace WsGateway.Connections;

/// <summary>
/// Keepalive and idle bookkeeping of one connection, in <see cref="Environment.TickCount64"/> milliseconds. The
/// receive loop records what arrives; the server's once-a-second timer calls <see cref="Check"/>.
/// </summary>
internal struct ConnectionLiveness
{
    private long _lastHeardAt;
    private long _lastMessageAt;
    private long _pingSentAt;

    public ConnectionLiveness(long now)
    {
        _lastHeardAt = now;
        _lastMessageAt = now;
    }

    /// <summary>Any bytes from the peer prove it is there, whether or not they complete a frame.</summary>
    public void OnBytesReceived(long now) => Volatile.Write(ref _lastHeardAt, now);

    public void OnMessage(long now) => Volatile.Write(ref _lastMessageAt, now);

    public LivenessAction Check(long now, LimitsOptions limits)
    {
        if (limits.IdleTimeoutSeconds > 0 && now - Volatile.Read(ref _lastMessageAt) > limits.IdleTimeoutSeconds * 1000L)
        {
            return LivenessAction.CloseIdle;
        }

        if (limits.KeepAliveSeconds <= 0)
        {
            return LivenessAction.None;
        }

        long heard = Volatile.Read(ref _lastHeardAt);
        if (_pingSentAt > heard)
        {
            return now - _pingSentAt > limits.KeepAliveTimeoutSeconds * 1000L ? LivenessAction.Drop : LivenessAction.None;
        }

        if (now - heard > limits.KeepAliveSeconds * 1000L)
        {
            _pingSentAt = now;
            return LivenessAction.Ping;
        }

        return LivenessAction.None;
    }
}
