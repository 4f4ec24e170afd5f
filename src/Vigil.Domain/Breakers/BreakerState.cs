using Vigil.Domain.Checks;

namespace Vigil.Domain.Breakers;

/// <summary>What is true of one breaker now; persisted with every change, in the same transaction as the
/// notifications and audit entries it causes. Changed only by the evaluator on the writer loop.</summary>
public sealed class BreakerState
{
    public BreakerStatus Status { get; set; }
    public DateTimeOffset StatusSince { get; set; }

    /// <summary>Failures since the last success (counted while closed).</summary>
    public int ConsecutiveFailures { get; set; }

    /// <summary>The rate window as at most <see cref="BreakerDefinition.WindowBuckets"/> + 1 buckets of counts.</summary>
    public List<CallBucket> Buckets { get; set; } = [];

    /// <summary>When the breaker last left closed (a trip or a force); null while closed.</summary>
    public DateTimeOffset? OpenedAt { get; set; }

    /// <summary>While open: when it becomes half-open by itself.</summary>
    public DateTimeOffset? CooldownUntil { get; set; }

    /// <summary>The current cooldown length: open_for after a trip, grown by backoff after each failed probe.</summary>
    public TimeSpan? OpenFor { get; set; }

    /// <summary>Probe permits out (half-open only).</summary>
    public List<ProbePermit> Probes { get; set; } = [];

    public DateTimeOffset? LastSuccessAt { get; set; }
    public DateTimeOffset? LastFailureAt { get; set; }
    public string? LastError { get; set; }

    /// <summary>Every report ever recorded, for operators; not used to decide anything.</summary>
    public long Successes { get; set; }
    public long Failures { get; set; }

    /// <summary>How many times it tripped (closed → open).</summary>
    public long Trips { get; set; }

    /// <summary>Whether the <c>breaker_open</c> alert fires, since when and why.</summary>
    public bool AlertFiring { get; set; }
    public DateTimeOffset? AlertSince { get; set; }
    public string? AlertReason { get; set; }

    /// <summary>Who forced the breaker into its current state, why and when; null when it runs by itself.</summary>
    public string? ForcedBy { get; set; }
    public string? ForcedReason { get; set; }
    public DateTimeOffset? ForcedAt { get; set; }

    /// <summary>How health sees it: closed is ok; half-open, disabled are warnings; open is the breaker's severity.</summary>
    public Level LevelFor(BreakerDefinition definition) => Status switch
    {
        BreakerStatus.Closed => Level.Ok,
        BreakerStatus.Open or BreakerStatus.ForcedOpen => definition.Severity == Severity.Critical ? Level.Critical : Level.Warning,
        _ => Level.Warning,
    };

    /// <summary>(successes, failures) within the window ending at <paramref name="now"/>.</summary>
    public (int Successes, int Failures) WindowCounts(BreakerDefinition definition, DateTimeOffset now)
    {
        var from = now - definition.Window;
        int successes = 0, failures = 0;
        foreach (var bucket in Buckets)
        {
            if (bucket.Start + definition.BucketWidth > from)
            {
                successes += bucket.Successes;
                failures += bucket.Failures;
            }
        }

        return (successes, failures);
    }

    public BreakerState Clone()
    {
        var copy = new BreakerState();
        copy.CopyFrom(this);
        return copy;
    }

    /// <summary>Makes this state equal to <paramref name="other"/> in place (a rolled-back command restores it
    /// this way, so every reference to this object sees the restored values).</summary>
    public void CopyFrom(BreakerState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Status = other.Status;
        StatusSince = other.StatusSince;
        ConsecutiveFailures = other.ConsecutiveFailures;
        Buckets = [.. other.Buckets.Select(b => b.Clone())];
        OpenedAt = other.OpenedAt;
        CooldownUntil = other.CooldownUntil;
        OpenFor = other.OpenFor;
        Probes = [.. other.Probes];
        LastSuccessAt = other.LastSuccessAt;
        LastFailureAt = other.LastFailureAt;
        LastError = other.LastError;
        Successes = other.Successes;
        Failures = other.Failures;
        Trips = other.Trips;
        AlertFiring = other.AlertFiring;
        AlertSince = other.AlertSince;
        AlertReason = other.AlertReason;
        ForcedBy = other.ForcedBy;
        ForcedReason = other.ForcedReason;
        ForcedAt = other.ForcedAt;
    }
}
