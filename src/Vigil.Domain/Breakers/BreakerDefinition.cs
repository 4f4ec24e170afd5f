using Vigil.Domain.Checks;
using Vigil.Domain.Time;

namespace Vigil.Domain.Breakers;

/// <summary>
/// A shared circuit breaker as declared in vigil.yaml. It trips on <see cref="FailureThreshold"/> consecutive
/// failures or, when <see cref="FailureRate"/> is set, on that share of failures among at least
/// <see cref="MinCalls"/> calls within <see cref="Window"/>.
/// </summary>
public sealed record BreakerDefinition
{
    /// <summary>The default consecutive failures that trip a breaker. The default value is 5.</summary>
    public const int DefaultFailureThreshold = 5;

    /// <summary>The default cooldown after a trip. The default value is 30 seconds.</summary>
    public static readonly TimeSpan DefaultOpenFor = TimeSpan.FromSeconds(30);

    /// <summary>The default longest cooldown. The default value is 30 minutes.</summary>
    public static readonly TimeSpan DefaultMaxOpenFor = TimeSpan.FromMinutes(30);

    /// <summary>The default sliding window of <see cref="FailureRate"/>. The default value is 1 minute.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(1);

    /// <summary>The default lifetime of a probe permit. The default value is 30 seconds.</summary>
    public static readonly TimeSpan DefaultProbeTtl = TimeSpan.FromSeconds(30);

    /// <summary>The rate window is kept as this many buckets of counts, so memory stays the same however many
    /// calls are reported; the window a rate is judged over is therefore between 9/10 of it and all of it.</summary>
    public const int WindowBuckets = 10;

    public required string Name { get; init; }
    public int? FailureThreshold { get; init; } = DefaultFailureThreshold;
    public double? FailureRate { get; init; }
    public int MinCalls { get; init; } = 10;
    public TimeSpan Window { get; init; } = DefaultWindow;
    public TimeSpan OpenFor { get; init; } = DefaultOpenFor;
    public double Backoff { get; init; } = 2.0;
    public TimeSpan MaxOpenFor { get; init; } = DefaultMaxOpenFor;
    public int HalfOpenProbes { get; init; } = 1;
    public TimeSpan ProbeTtl { get; init; } = DefaultProbeTtl;
    public Severity Severity { get; init; } = Severity.Warning;

    /// <summary>True when the breaker judges a failure rate over a window rather than consecutive failures.</summary>
    public bool UsesRate => FailureRate is not null;

    /// <summary>The width of one bucket of the rate window (never below one tick).</summary>
    public TimeSpan BucketWidth => TimeSpan.FromTicks(Math.Max(1, Window.Ticks / WindowBuckets));

    /// <summary>The cooldown after <paramref name="current"/> once a probe failed: longer by <see cref="Backoff"/>,
    /// at most <see cref="MaxOpenFor"/>.</summary>
    public TimeSpan NextOpenFor(TimeSpan current)
    {
        var grown = current.Ticks * Backoff;
        return grown >= MaxOpenFor.Ticks ? MaxOpenFor : TimeSpan.FromTicks((long)grown);
    }

    /// <summary>Every problem with these settings, as (field, message); empty when valid. The config file runs it.</summary>
    public IEnumerable<(string Field, string Message)> Validate()
    {
        if (!CheckName.IsValid(Name)) yield return ("name", CheckName.Problem(Name).Replace("check name", "breaker name", StringComparison.Ordinal));
        if (FailureThreshold is null == FailureRate is null) yield return ("failure_threshold", "give either failure_threshold or failure_rate");
        if (FailureThreshold is < 1 or > CheckLimits.MaxCount) yield return ("failure_threshold", $"must be between 1 and {CheckLimits.MaxCount}");
        if (FailureRate is { } rate && (rate <= 0 || rate > 1 || double.IsNaN(rate))) yield return ("failure_rate", "must be more than 0 and at most 1");
        if (MinCalls is < 1 or > 1_000_000) yield return ("min_calls", "must be between 1 and 1000000");
        foreach (var (field, value) in new[] { ("window", Window), ("open_for", OpenFor), ("max_open_for", MaxOpenFor), ("probe_ttl", ProbeTtl) })
        {
            if (value <= TimeSpan.Zero) yield return (field, "must be longer than 0s");
            else if (value > CheckLimits.MaxDuration) yield return (field, CheckLimits.DurationProblem);
        }

        if (MaxOpenFor < OpenFor) yield return ("max_open_for", "must not be shorter than open_for");
        if (Backoff < 1 || Backoff > 100 || double.IsNaN(Backoff)) yield return ("backoff", "must be between 1 and 100");
        if (HalfOpenProbes is < 1 or > CheckLimits.MaxCount) yield return ("half_open_probes", $"must be between 1 and {CheckLimits.MaxCount}");
    }

    /// <summary>How it trips, for reasons and health: "5 consecutive failures" or "50% of ≥10 calls in 1m".</summary>
    public string DescribeTrip() =>
        FailureRate is { } rate
            ? $"{Math.Round(rate * 100, 1)}% failures among at least {MinCalls} calls within {Durations.Format(Window)}"
            : $"{FailureThreshold} consecutive failures";
}
