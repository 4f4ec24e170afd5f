using Vigil.Domain.Audit;
using Vigil.Domain.Breakers;
using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;
using Vigil.Domain.Time;

namespace Vigil.Domain.Evaluation;

/// <summary>
/// Shared circuit breakers. Each is a state machine changed only here, on the writer loop: reports trip it,
/// the heap ends its cooldown (open → half_open with nobody calling), probe permits are leases whose expiry
/// frees the slot, and a probe's report closes it or reopens it with a longer cooldown.
/// </summary>
public sealed partial class Evaluator
{
    private readonly Dictionary<string, BreakerEntry> _breakers = new(StringComparer.Ordinal);

    public IEnumerable<BreakerSnapshot> Breakers => _breakers.Values.Select(b => new BreakerSnapshot(b.Definition, b.State.Clone()));

    /// <summary>An immutable copy of one breaker for readers, or null.</summary>
    public BreakerSnapshot? BreakerSnapshot(string name) =>
        _breakers.TryGetValue(name, out var b) ? new BreakerSnapshot(b.Definition, b.State.Clone()) : null;

    /// <summary>Loads a breaker as persisted, without recording any change.</summary>
    public void Load(BreakerDefinition definition, BreakerState state)
    {
        var entry = NewBreakerEntry(definition, state);
        _breakers[definition.Name] = entry;
        RescheduleBreaker(entry);
    }

    /// <summary>Asks for a permit. Closed and disabled breakers allow; open and forced-open ones refuse with when
    /// to retry; a half-open one hands out up to half_open_probes probe permits, each expiring after probe_ttl.</summary>
    public PermitResult BreakerPermit(string name, string holder)
    {
        if (LookupBreaker(name) is not { } b)
        {
            return PermitResult.NotFound;
        }

        var now = Now;
        CatchUp(b, now);
        var s = b.State;
        switch (s.Status)
        {
            case BreakerStatus.Closed or BreakerStatus.Disabled:
                return new PermitResult(true, true, s.Status);
            case BreakerStatus.ForcedOpen:
                return new PermitResult(true, false, s.Status);
            case BreakerStatus.Open:
                return new PermitResult(true, false, s.Status, RetryAfter: Until(s.CooldownUntil, now));
        }

        if (s.Probes.Count >= b.Definition.HalfOpenProbes)
        {
            return new PermitResult(true, false, s.Status, RetryAfter: Until(s.Probes.Min(p => p.ExpiresAt), now));
        }

        var probe = new ProbePermit { Token = _entropy.NewToken(), Holder = holder, GrantedAt = now, ExpiresAt = Instants.Add(now, b.Definition.ProbeTtl) };
        s.Probes.Add(probe);
        Touch(b);
        return new PermitResult(true, true, s.Status, probe);
    }

    /// <summary>
    /// Records a call's outcome. With a probe token, it is that probe's result: success closes the breaker and
    /// resets its counters, failure reopens it with a longer cooldown; a token no longer out changes nothing
    /// (<see cref="ReportStatus.ProbeGone"/>). Without one, it counts towards tripping while closed, and is
    /// only noted otherwise (a call let through before the breaker opened says nothing about now).
    /// </summary>
    public ReportResult BreakerReport(string name, BreakerOutcome outcome, string? probeToken, string? error)
    {
        if (LookupBreaker(name) is not { } b)
        {
            return new ReportResult(ReportStatus.NotFound, BreakerStatus.Closed);
        }

        var now = Now;
        CatchUp(b, now);
        var s = b.State;
        ProbePermit? probe = null;
        if (probeToken is not null)
        {
            probe = s.Probes.FirstOrDefault(p => p.Token == probeToken);
            if (probe is null)
            {
                return new ReportResult(ReportStatus.ProbeGone, s.Status);
            }

            s.Probes.Remove(probe);
        }

        if (outcome == BreakerOutcome.Success)
        {
            s.LastSuccessAt = now;
            s.Successes++;
        }
        else
        {
            s.LastFailureAt = now;
            s.LastError = error;
            s.Failures++;
        }

        if (probe is not null)
        {
            if (outcome == BreakerOutcome.Success)
            {
                Close(b, $"a probe by {probe.Holder} succeeded", now);
            }
            else
            {
                Reopen(b, $"a probe by {probe.Holder} failed" + (error is null ? "" : $": {error}"), now);
            }
        }
        else if (s.Status == BreakerStatus.Closed)
        {
            CountCall(b, outcome, error, now);
        }

        Touch(b);
        return new ReportResult(ReportStatus.Recorded, s.Status);
    }

    /// <summary>An operator's override, audited: open (refuse everything until released), closed (reset and run
    /// by itself again), disabled (allow everything, count nothing), auto (hand back to the counters: from
    /// forced open it probes first, from disabled it starts closed).</summary>
    public ForceResult ForceBreaker(string name, BreakerForce force, string reason, string by)
    {
        if (LookupBreaker(name) is not { } b)
        {
            return new ForceResult(false, BreakerStatus.Closed, BreakerStatus.Closed);
        }

        var now = Now;
        CatchUp(b, now);
        var s = b.State;
        var before = s.Status;
        var why = $"forced {force.Text()} by {by}: {reason}";
        switch (force)
        {
            case BreakerForce.Open:
                SetBreakerStatus(b, BreakerStatus.ForcedOpen, now);
                s.OpenedAt ??= now;
                s.CooldownUntil = null;
                s.Probes.Clear();
                SetForced(s, by, reason, now);
                FireBreakerAlert(b, why, now);
                break;
            case BreakerForce.Closed:
                Close(b, why, now);
                break;
            case BreakerForce.Disabled:
                SetBreakerStatus(b, BreakerStatus.Disabled, now);
                Reset(s);
                SetForced(s, by, reason, now);
                ResolveBreakerAlert(b, why, now);
                break;
            case BreakerForce.Auto when before == BreakerStatus.ForcedOpen:
                // Whatever made someone force it open may still be true: let a probe find out first.
                SetBreakerStatus(b, BreakerStatus.HalfOpen, now);
                s.OpenFor ??= b.Definition.OpenFor;
                SetForced(s, null, null, null);
                break;
            case BreakerForce.Auto when before == BreakerStatus.Disabled:
                Close(b, why, now);
                break;
            case BreakerForce.Auto:
                break;
        }

        _changes.Audit.Add(new AuditEntry { At = now, Key = by, Action = AuditActions.BreakerForcePrefix + force.Text(), Target = name, Reason = reason });
        Touch(b);
        return new ForceResult(true, before, s.Status);
    }

    private static TimeSpan Until(DateTimeOffset? instant, DateTimeOffset now) =>
        instant is { } at && at > now ? at - now : TimeSpan.Zero;

    private void CountCall(BreakerEntry b, BreakerOutcome outcome, string? error, DateTimeOffset now)
    {
        var d = b.Definition;
        var s = b.State;
        s.ConsecutiveFailures = outcome == BreakerOutcome.Failure ? s.ConsecutiveFailures + 1 : 0;
        if (!d.UsesRate)
        {
            if (s.ConsecutiveFailures >= d.FailureThreshold)
            {
                Trip(b, $"{s.ConsecutiveFailures} consecutive failures" + (error is null ? "" : $", the last: {error}"), now);
            }

            return;
        }

        // Buckets aligned on multiples of their width: the window slides one bucket at a time, and memory is
        // bounded by the bucket count whatever the call rate.
        var width = d.BucketWidth;
        var start = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % width.Ticks), TimeSpan.Zero);
        var from = now - d.Window;
        s.Buckets.RemoveAll(x => x.Start + width <= from);
        var bucket = s.Buckets.Count > 0 && s.Buckets[^1].Start == start ? s.Buckets[^1] : null;
        if (bucket is null)
        {
            bucket = new CallBucket { Start = start };
            s.Buckets.Add(bucket);
        }

        if (outcome == BreakerOutcome.Success) bucket.Successes++;
        else bucket.Failures++;

        var (successes, failures) = s.WindowCounts(d, now);
        var calls = successes + failures;
        if (outcome == BreakerOutcome.Failure && calls >= d.MinCalls && failures >= d.FailureRate!.Value * calls)
        {
            Trip(b, $"{failures} of {calls} calls failed within {Durations.Format(d.Window)} (failure_rate {d.FailureRate.Value})" +
                    (error is null ? "" : $", the last: {error}"), now);
        }
    }

    private void Trip(BreakerEntry b, string reason, DateTimeOffset now)
    {
        var s = b.State;
        SetBreakerStatus(b, BreakerStatus.Open, now);
        s.Trips++;
        s.OpenedAt = now;
        s.OpenFor = b.Definition.OpenFor;
        s.CooldownUntil = Instants.Add(now, b.Definition.OpenFor);
        FireBreakerAlert(b, $"tripped: {reason}; refusing calls until {Timestamps.Format(s.CooldownUntil.Value)}", now);
    }

    /// <summary>A failed probe: open again, for longer (open_for × backoff per failed probe, at most max_open_for).
    /// The other probes out lose their permits; their reports change nothing.</summary>
    private void Reopen(BreakerEntry b, string reason, DateTimeOffset now)
    {
        var s = b.State;
        var openFor = b.Definition.NextOpenFor(s.OpenFor ?? b.Definition.OpenFor);
        SetBreakerStatus(b, BreakerStatus.Open, now);
        s.OpenFor = openFor;
        s.CooldownUntil = Instants.Add(now, openFor);
        s.Probes.Clear();
        FireBreakerAlert(b, $"{reason}; refusing calls until {Timestamps.Format(s.CooldownUntil.Value)} (cooldown {Durations.Format(openFor)})", now);
    }

    private void Close(BreakerEntry b, string reason, DateTimeOffset now)
    {
        var s = b.State;
        SetBreakerStatus(b, BreakerStatus.Closed, now);
        Reset(s);
        SetForced(s, null, null, null);
        ResolveBreakerAlert(b, reason, now);
    }

    /// <summary>Counters, cooldown and probes back to a fresh closed breaker's.</summary>
    private static void Reset(BreakerState s)
    {
        s.ConsecutiveFailures = 0;
        s.Buckets.Clear();
        s.OpenedAt = null;
        s.CooldownUntil = null;
        s.OpenFor = null;
        s.Probes.Clear();
    }

    private static void SetForced(BreakerState s, string? by, string? reason, DateTimeOffset? at)
    {
        s.ForcedBy = by;
        s.ForcedReason = reason;
        s.ForcedAt = at;
    }

    private static void SetBreakerStatus(BreakerEntry b, BreakerStatus status, DateTimeOffset now)
    {
        if (b.State.Status != status)
        {
            b.State.Status = status;
            b.State.StatusSince = now;
        }
    }

    /// <summary>The heap's call when the breaker falls due: expired probes free their slots, an ended cooldown
    /// makes it half-open. Returns when it is due next.</summary>
    private DateTimeOffset? FireBreaker(BreakerEntry b, DateTimeOffset now)
    {
        EnterBreaker(b);
        ActOnDue(b, now);
        Touch(b);
        return b.NextDue();
    }

    private void CatchUp(BreakerEntry b, DateTimeOffset now)
    {
        if (b.NextDue() is { } due && due <= now)
        {
            ActOnDue(b, now);
            RescheduleBreaker(b);
        }
    }

    private static void ActOnDue(BreakerEntry b, DateTimeOffset now)
    {
        var s = b.State;
        s.Probes.RemoveAll(p => p.ExpiresAt <= now);
        if (s.Status == BreakerStatus.Open && s.CooldownUntil is { } until && until <= now)
        {
            SetBreakerStatus(b, BreakerStatus.HalfOpen, now);
            s.CooldownUntil = null;
        }
    }

    /// <summary>Fires breaker_open, or, when it already fires, only updates why: people were told it is open,
    /// and a reopen after a failed probe is the same condition, not news.</summary>
    private void FireBreakerAlert(BreakerEntry b, string reason, DateTimeOffset now)
    {
        var s = b.State;
        s.AlertReason = reason;
        if (s.AlertFiring)
        {
            return;
        }

        s.AlertFiring = true;
        s.AlertSince = now;
        NotifyBreaker(b, Notification.Firing, reason, now);
    }

    private void ResolveBreakerAlert(BreakerEntry b, string reason, DateTimeOffset now)
    {
        var s = b.State;
        if (!s.AlertFiring)
        {
            return;
        }

        s.AlertFiring = false;
        s.AlertReason = null;
        NotifyBreaker(b, Notification.Resolved, reason, now);
        s.AlertSince = null;
    }

    private void NotifyBreaker(BreakerEntry b, string state, string reason, DateTimeOffset now) =>
        _changes.Notifications.Add(new Notification
        {
            Id = _entropy.NewId(now),
            Breaker = b.Definition.Name,
            Alert = AlertKind.BreakerOpen,
            State = state,
            Severity = b.Definition.Severity,
            Reason = $"breaker {b.Definition.Name}: {reason}",
            At = now,
            Since = b.State.AlertSince,
            LastGoodAt = b.State.LastSuccessAt,
        });

    private BreakerEntry NewBreakerEntry(BreakerDefinition definition, BreakerState state) => new(definition, state, FireBreaker);

    private BreakerEntry? LookupBreaker(string name) => _breakers.TryGetValue(name, out var b) ? EnterBreaker(b) : null;

    /// <summary>Every path that changes a breaker goes through here first, so a failing command can put it back.</summary>
    private BreakerEntry EnterBreaker(BreakerEntry b)
    {
        Journaled(b, () =>
        {
            var definition = b.Definition;
            var saved = b.State.Clone();
            return () =>
            {
                b.Definition = definition;
                b.State.CopyFrom(saved);
                _breakers[definition.Name] = b;
                RescheduleBreaker(b);
            };
        });
        return b;
    }

    private void Touch(BreakerEntry b)
    {
        _changes.Touch(b.Definition, b.State);
        RescheduleBreaker(b);
    }

    private void RescheduleBreaker(BreakerEntry b) => _heap.Set(b, b.NextDue());
}
