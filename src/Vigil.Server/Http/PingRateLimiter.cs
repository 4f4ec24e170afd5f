using System.Collections.Concurrent;
using Vigil.Server.Engine;

namespace Vigil.Server.Http;

/// <summary>
/// A token bucket per check on the injected clock: <c>ping.rate_limit</c> pings per second, with the same
/// number as burst. Bounded: buckets exist only for checks that exist (the caller asks only for known checks
/// or ones being created), a deleted check's bucket goes with it, and past <see cref="MaxTracked"/> the idle
/// buckets (full again, so forgetting them changes nothing) are evicted one by one, never the table at once.
/// </summary>
internal sealed class PingRateLimiter
{
    /// <summary>Buckets kept before idle ones are evicted. The value is 100,000.</summary>
    public const int MaxTracked = 100_000;

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly PingSettings _settings;
    private readonly TimeProvider _time;
    private int _sweeping;

    public PingRateLimiter(PingSettings settings, TimeProvider time, ReadModel readModel)
    {
        _settings = settings;
        _time = time;
        readModel.Removed += name => _buckets.TryRemove(name, out _);
    }

    public int Tracked => _buckets.Count;

    public bool TryAcquire(string check)
    {
        var rate = _settings.RateLimitPerSecond;
        if (rate <= 0)
        {
            return true;
        }

        var burst = Math.Max(1, rate);
        var now = _time.GetTimestamp();
        if (_buckets.Count >= MaxTracked && !_buckets.ContainsKey(check))
        {
            EvictIdle(now, rate, burst);
        }

        var bucket = _buckets.GetOrAdd(check, _ => new Bucket(burst, now));
        lock (bucket)
        {
            bucket.Tokens = Refill(bucket, now, rate, burst);
            bucket.Stamp = now;
            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens -= 1;
            return true;
        }
    }

    private double Refill(Bucket bucket, long now, double rate, double burst) =>
        Math.Min(burst, bucket.Tokens + (_time.GetElapsedTime(bucket.Stamp, now).TotalSeconds * rate));

    /// <summary>Drops buckets that have refilled to the burst: a new one would start the same.</summary>
    private void EvictIdle(long now, double rate, double burst)
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        try
        {
            foreach (var (name, bucket) in _buckets)
            {
                bool idle;
                lock (bucket)
                {
                    idle = Refill(bucket, now, rate, burst) >= burst;
                }

                if (idle)
                {
                    _buckets.TryRemove(name, out _);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens { get; set; } = tokens;
        public long Stamp { get; set; } = stamp;
    }
}
