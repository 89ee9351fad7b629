using System.Diagnostics;

namespace WsGateway.Commands;

/// <summary>
/// A token bucket for one connection's messages: holds up to <c>burst</c> tokens, refills at <c>perSecond</c>.
/// Not thread-safe: one receive loop owns it. The rate is passed per call so configuration reloads apply at once.
/// A struct, kept inside its session (one object less per connection); use it by reference, never a copy.
/// </summary>
internal struct TokenBucket
{
    private double _tokens;

    // 0 until the first message: a full bucket then (a timestamp is never 0).
    private long _refilledAt;

    public bool TryTake(double perSecond, int burst)
    {
        if (perSecond <= 0)
        {
            return true;
        }

        long now = Stopwatch.GetTimestamp();
        _tokens = _refilledAt == 0
            ? burst
            : Math.Min(burst, _tokens + Stopwatch.GetElapsedTime(_refilledAt, now).TotalSeconds * perSecond);
        _refilledAt = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}
