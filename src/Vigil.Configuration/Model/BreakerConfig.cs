using Vigil.Domain.Checks;

namespace Vigil.Configuration;

/// <summary>A circuit breaker. It trips on <see cref="FailureThreshold"/> consecutive failures, or, when
/// <see cref="FailureRate"/> is set, on that failure rate over <see cref="Window"/> once
/// <see cref="MinCalls"/> calls were seen.</summary>
public sealed record BreakerConfig(string Name)
{
    public int? FailureThreshold { get; init; } = 5;
    public double? FailureRate { get; init; }
    public int MinCalls { get; init; } = 10;
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);
    public TimeSpan OpenFor { get; init; } = TimeSpan.FromSeconds(30);
    public double Backoff { get; init; } = 2.0;
    public TimeSpan MaxOpenFor { get; init; } = TimeSpan.FromMinutes(30);
    public int HalfOpenProbes { get; init; } = 1;
    public TimeSpan ProbeTtl { get; init; } = TimeSpan.FromSeconds(30);
    public Severity Severity { get; init; } = Severity.Warning;
}
