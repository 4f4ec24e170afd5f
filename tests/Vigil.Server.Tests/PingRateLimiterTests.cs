using Microsoft.Extensions.Time.Testing;
using Vigil.Server.Engine;
using Vigil.Server.Http;

namespace Vigil.Server.Tests;

/// <summary>The per-check token buckets keep their own count, which must stay exact through races and evictions.</summary>
public sealed class PingRateLimiterTests
{
    private static PingRateLimiter Limiter(FakeTimeProvider time, double perSecond, int capacity = PingRateLimiter.MaxTracked) =>
        new(new PingSettings { RateLimitPerSecond = perSecond }, time, new ReadModel()) { Capacity = capacity };

    [Fact]
    public void Past_its_capacity_it_forgets_only_the_idle_buckets()
    {
        var time = new FakeTimeProvider();
        var limiter = Limiter(time, perSecond: 1, capacity: 3);
        foreach (var check in new[] { "a", "b", "c" })
        {
            Assert.True(limiter.TryAcquire(check));
        }

        Assert.False(limiter.TryAcquire("a"));
        Assert.Equal(3, limiter.Tracked);

        // None is idle (each spent its one token), so none is forgotten: the limit still holds for all of them.
        Assert.True(limiter.TryAcquire("d"));
        Assert.Equal(4, limiter.Tracked);
        Assert.False(limiter.TryAcquire("b"));

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(limiter.TryAcquire("e"));
        Assert.Equal(1, limiter.Tracked);
        Assert.True(limiter.TryAcquire("a"));
        Assert.Equal(2, limiter.Tracked);
    }

    [Fact]
    public async Task Its_count_stays_exact_when_threads_race_for_the_same_new_checks()
    {
        var limiter = Limiter(new FakeTimeProvider(), perSecond: 1_000_000);
        using var start = new ManualResetEventSlim();
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(() =>
        {
            start.Wait();
            for (var i = 0; i < 2_000; i++)
            {
                Assert.True(limiter.TryAcquire($"check-{(i * 7 + w) % 1_000}"));
            }
        })).ToArray();

        start.Set();
        await Task.WhenAll(workers);

        Assert.Equal(1_000, limiter.Tracked);
    }
}
