using System.Collections.Concurrent;
using Vigil.Server.Engine;

namespace Vigil.Server.Http;

/// <summary>
/// A token bucket per check on the injected clock: <c>ping.rate_limit</c> pings per second, with the same
/// number as burst. Bounded: buckets exist only for checks that exist (the caller asks only for known checks
/// or ones being created), a deleted check's bucket goes with it, and past <see cref="MaxTracked"/> the idle
/// buckets (full again, so forgetting them changes nothing) are evicted one by one, never the table at once.
/// <para>The limiter keeps its own count of buckets: <c>ConcurrentDictionary.Count</c> takes every one of the table's
/// locks, and once 20,000 checks had been pinged that made this check a fifth of the server's CPU on every ping
/// (bench/PROFILE.md). A ping for a check that has a bucket reads nothing but its own.</para>
/// </summary>
internal sealed class PingRateLimiter
{
    /// <summary>Buckets kept before idle ones are evicted. The value is 100,000.</summary>
    public const int MaxTracked = 100_000;

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly PingSettings _settings;
    private readonly TimeProvider _time;
    private int _sweeping;
    private int _count;

    public PingRateLimiter(PingSettings settings, TimeProvider time, ReadModel readModel)
    {
        _settings = settings;
        _time = time;
        readModel.Removed += Forget;
    }

    /// <summary>Buckets kept before idle ones are evicted; <see cref="MaxTracked"/> unless a test sets it lower.</summary>
    internal int Capacity { get; init; } = MaxTracked;

    public int Tracked => Volatile.Read(ref _count);

    public bool TryAcquire(string check)
    {
        var rate = _settings.RateLimitPerSecond;
        if (rate <= 0)
        {
            return true;
        }

        var burst = Math.Max(1, rate);
        var now = _time.GetTimestamp();
        var bucket = BucketOf(check, now, rate, burst);
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

    private Bucket BucketOf(string check, long now, double rate, double burst)
    {
        Bucket? bucket;
        while (!_buckets.TryGetValue(check, out bucket))
        {
            if (Tracked >= Capacity)
            {
                EvictIdle(now, rate, burst);
            }

            var fresh = new Bucket(burst, now);
            if (_buckets.TryAdd(check, fresh))
            {
                Interlocked.Increment(ref _count);
                return fresh;
            }
        }

        return bucket;
    }

    private void Forget(string check)
    {
        if (_buckets.TryRemove(check, out _))
        {
            Interlocked.Decrement(ref _count);
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
                    Forget(name);
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
