using System.Collections.Concurrent;

namespace Vigil.Server.Http;

/// <summary>A token bucket per check on the injected clock: <c>ping.rate_limit</c> pings per second, with the
/// same number as burst. Bounded: the table is cleared when it grows past its limit.</summary>
internal sealed class PingRateLimiter(PingSettings settings, TimeProvider time)
{
    private const int MaxTracked = 100_000;

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    public bool TryAcquire(string check)
    {
        var rate = settings.RateLimitPerSecond;
        if (rate <= 0)
        {
            return true;
        }

        if (_buckets.Count > MaxTracked)
        {
            _buckets.Clear();
        }

        var burst = Math.Max(1, rate);
        var now = time.GetTimestamp();
        var bucket = _buckets.GetOrAdd(check, _ => new Bucket(burst, now));
        lock (bucket)
        {
            var elapsed = time.GetElapsedTime(bucket.Stamp, now).TotalSeconds;
            bucket.Tokens = Math.Min(burst, bucket.Tokens + (elapsed * rate));
            bucket.Stamp = now;
            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens -= 1;
            return true;
        }
    }

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens { get; set; } = tokens;
        public long Stamp { get; set; } = stamp;
    }
}
