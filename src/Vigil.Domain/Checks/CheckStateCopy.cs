namespace Vigil.Domain.Checks;

/// <summary>Deep copies of a check's runtime state: what a command rolls back to when it fails, and what
/// readers see after a commit (never the object the writer keeps changing).</summary>
public static class CheckStateCopy
{
    public static CheckState Clone(this CheckState s)
    {
        var copy = new CheckState();
        copy.RestoreFrom(s);
        return copy;
    }

    /// <summary>Makes <paramref name="target"/> equal to <paramref name="source"/> in place, so every holder of
    /// the target's reference sees the restored state.</summary>
    public static void RestoreFrom(this CheckState target, CheckState source)
    {
        target.Status = source.Status;
        target.StatusSince = source.StatusSince;
        target.LastSignalAt = source.LastSignalAt;
        target.LastSuccessAt = source.LastSuccessAt;
        target.LastFailureAt = source.LastFailureAt;
        target.ScheduleAnchor = source.ScheduleAnchor;
        target.LastDurationEndAt = source.LastDurationEndAt;
        target.LastDurationSeconds = source.LastDurationSeconds;
        target.ConsecutiveFailures = source.ConsecutiveFailures;
        target.ConsecutiveSuccesses = source.ConsecutiveSuccesses;
        target.DataTs = source.DataTs;
        target.FencingCounter = source.FencingCounter;
        target.OpenRuns = [.. source.OpenRuns.Select(r => new OpenRun
        {
            Rid = r.Rid, Implicit = r.Implicit, StartedAt = r.StartedAt, Deadline = r.Deadline, Holder = r.Holder, LeaseToken = r.LeaseToken,
        })];
        target.Leases = [.. source.Leases.Select(l => new HeldLease
        {
            Token = l.Token, FencingToken = l.FencingToken, Holder = l.Holder, Rid = l.Rid, AcquiredAt = l.AcquiredAt,
            ExpiresAt = l.ExpiresAt, Ttl = l.Ttl, CountedAsSuccess = l.CountedAsSuccess,
        })];
        target.Alerts = source.Alerts.ToDictionary(a => a.Key, a => new AlertState
        {
            Firing = a.Value.Firing, Notified = a.Value.Notified, Since = a.Value.Since, Reason = a.Value.Reason, Severity = a.Value.Severity,
            HeldBack = a.Value.HeldBack, NotifiedAt = a.Value.NotifiedAt,
        });
        target.StatusChanges = [.. source.StatusChanges];
        target.Flapping = source.Flapping;
        target.NotBefore = source.NotBefore;

        // Immutable records: shared, not copied.
        target.Measurement = source.Measurement;
        target.NextProbeAt = source.NextProbeAt;
        target.ProbeInFlight = source.ProbeInFlight;
    }
}
