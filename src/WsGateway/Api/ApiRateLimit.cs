using WsGateway.Commands;

namespace WsGateway.Api;

/// <summary>A token bucket per API key name (<c>Api:RequestsPerSecond</c>, <c>Api:Burst</c>), shared by all its requests.</summary>
internal sealed class ApiRateLimit
{
    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <returns>True when the caller may go on; false when over its rate.</returns>
    public bool TryTake(string key, double perSecond, int burst)
    {
        lock (_gate)
        {
            // One bucket per configured key name: a bounded set, so nothing is ever evicted.
            if (!_buckets.TryGetValue(key, out var bucket))
            {
                _buckets[key] = bucket = new Bucket();
            }

            return bucket.Tokens.TryTake(perSecond, burst);
        }
    }

    /// <summary>Whole seconds until one token is back at <paramref name="perSecond"/>, at least 1 (Retry-After).</summary>
    public static int RetryAfterSeconds(double perSecond) =>
        perSecond <= 0 ? 1 : (int)Math.Clamp(Math.Ceiling(1 / perSecond), 1, 3600);

    private sealed class Bucket
    {
        public TokenBucket Tokens;
    }
}
