using WsGateway.Options;

namespace WsGateway.Connections;

/// <summary>
/// Decides, for one connection, what its once-a-second liveness check must do: close it when idle or when its
/// credential expired, ping it when quiet, drop it when a ping or our close frame went unanswered. Times are
/// <see cref="Environment.TickCount64"/> milliseconds. The receive loop records what arrives; it never does I/O.
/// </summary>
internal struct ConnectionLiveness
{
    private long _lastHeardAt;
    private long _lastMessageAt;
    private long _pingSentAt;

    // When our close frame went out without an answer yet; 0 while none did.
    private long _closeDeadline;

    public ConnectionLiveness(long now)
    {
        _lastHeardAt = now;
        _lastMessageAt = now;
    }

    /// <summary>Any bytes from the peer prove it is there, whether or not they complete a frame.</summary>
    public void OnBytesReceived(long now) => Volatile.Write(ref _lastHeardAt, now);

    public void OnMessage(long now) => Volatile.Write(ref _lastMessageAt, now);

    /// <summary>Our close frame went out: the peer has <c>Limits:CloseTimeoutSeconds</c> to answer it.</summary>
    public void OnCloseSent(long now, LimitsOptions limits) =>
        Volatile.Write(ref _closeDeadline, now + (long)(limits.CloseTimeoutSeconds * 1000));

    /// <param name="now">Now, in <see cref="Environment.TickCount64"/> milliseconds.</param>
    /// <param name="closeSent">Whether a close frame went out (by <see cref="OnCloseSent"/> or a protocol error).</param>
    /// <param name="credentialExpired">Whether the caller's credential expired and the options say to close then.</param>
    public LivenessAction Check(long now, bool closeSent, bool credentialExpired, LimitsOptions limits)
    {
        if (closeSent)
        {
            // A close queued without OnCloseSent (the memory budget's, say) gets its deadline from the first check.
            long deadline = Volatile.Read(ref _closeDeadline);
            if (deadline == 0)
            {
                Interlocked.CompareExchange(ref _closeDeadline, now + (long)(limits.CloseTimeoutSeconds * 1000), 0);
                return LivenessAction.None;
            }

            return now > deadline ? LivenessAction.DropUnansweredClose : LivenessAction.None;
        }

        if (credentialExpired)
        {
            return LivenessAction.CloseExpired;
        }

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
