namespace Vigil.Domain.Breakers;

/// <summary>A permit's answer: allowed (with a probe permit when half-open) or refused (with when to retry;
/// null when forced open, which lasts until someone releases it).</summary>
public sealed record PermitResult(bool Found, bool Allowed, BreakerStatus Status, ProbePermit? Probe = null, TimeSpan? RetryAfter = null)
{
    public static readonly PermitResult NotFound = new(false, false, BreakerStatus.Closed);
}

public enum ReportStatus { Recorded, NotFound, ProbeGone }

/// <summary>A report's answer: recorded (and the state it left), or refused because its probe permit is no
/// longer out (it expired, was already reported or the breaker moved on), which changes nothing.</summary>
public sealed record ReportResult(ReportStatus Status, BreakerStatus State);

/// <summary>A force's answer: the state before and after (equal when nothing changed), or not found.</summary>
public sealed record ForceResult(bool Found, BreakerStatus Before, BreakerStatus After);
