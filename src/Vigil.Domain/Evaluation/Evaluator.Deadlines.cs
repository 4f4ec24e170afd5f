using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;
using Vigil.Domain.Time;

namespace Vigil.Domain.Evaluation;

public sealed partial class Evaluator
{
    /// <summary>How many times acting on one check's deadlines may repeat in one tick; only a rule bug reaches it.</summary>
    private const int MaxStepsPerDue = 64;

    /// <summary>Puts an obligation that belongs to no check into the heap (or moves it).</summary>
    public void Schedule(TimedObligation obligation, DateTimeOffset due) => _heap.Set(obligation, due);

    public void Unschedule(TimedObligation obligation) => _heap.Remove(obligation);

    /// <summary>
    /// Acts on every obligation that has fallen due, earliest first, at most <paramref name="limit"/> of them (the
    /// rest stay due and <see cref="NextDeadline"/> says so). Cost is O(log n) per due obligation; nothing is
    /// scanned. Each obligation is handled atomically: if acting on one throws, it is rolled back and set aside with
    /// its fault (reported by <see cref="Faults"/>) and the others still run.
    /// </summary>
    public int Tick(int limit = int.MaxValue)
    {
        var now = Now;
        var handled = 0;
        while (handled < limit && _heap.Peek() is { } due && (due.Due <= now || ProbeDueSoon(due, now)))
        {
            try
            {
                Atomically(() =>
                {
                    switch (due)
                    {
                        case CheckEntry entry:
                            ProcessDue(Enter(entry), now);
                            if (ProbeDueSoon(entry, now))
                            {
                                RequestProbe(entry, now);
                            }

                            Reschedule(entry);
                            if (entry.Scheduled && entry.Due <= now)
                            {
                                throw new InvalidOperationException($"its deadline at {Timestamps.Format(entry.Due)} did not move after {MaxStepsPerDue} steps");
                            }

                            break;
                        case TimedObligation timed:
                            _heap.Set(timed, timed.Fire(now));
                            break;
                    }

                    return 0;
                });
            }
            catch (Exception ex)
            {
                SetAside(due, ex);
            }

            handled++;
        }

        return handled;
    }

    /// <summary>Takes an obligation whose handling threw out of the heap, so one bug cannot stop every other deadline.</summary>
    private void SetAside(Obligation obligation, Exception ex)
    {
        _heap.Remove(obligation);
        var fault = $"{ex.GetType().Name}: {ex.Message}";
        if (obligation is CheckEntry entry)
        {
            entry.Fault = $"evaluating its deadline failed ({fault}); it is not evaluated until its definition changes or Vigil restarts";
        }

        _changes.Faults.Add((obligation.Describe(), fault));
    }

    /// <summary>Acts now on a check's obligations that are already due, before a signal is applied to it, so the
    /// outcome depends on the obligation's time and not on whether the loop woke first: a renew that arrives
    /// after its lease expired finds it expired even when both land in the same batch.</summary>
    private void CatchUp(CheckEntry entry, DateTimeOffset now)
    {
        if (entry.Scheduled && entry.Due <= now && entry.Fault is null)
        {
            ProcessDue(entry, now);
            Reschedule(entry);
        }
    }

    /// <summary>
    /// Vigil was not watching from <paramref name="lastWatched"/> until now (it was down, suspended, or the
    /// wall clock jumped). Every obligation that fell due in that span is moved to now + max(grace,
    /// startup_grace), and one vigil_restarted notification summarises the gap. Only the due obligations are
    /// visited, straight from the heap.
    /// </summary>
    public int RecoverBlindSpan(DateTimeOffset lastWatched, string cause)
    {
        var now = Now;
        var moved = 0;
        foreach (var obligation in _heap.DueBy(now))
        {
            switch (obligation)
            {
                case CheckEntry { Definition.Kind: CheckKind.Probe } probe:
                    // A probe runs now; only a run in flight across the span is dropped and asked for again.
                    if (Enter(probe).State.ProbeInFlight is not null)
                    {
                        RerunProbe(probe, now, "Vigil was not watching");
                        Touch(probe);
                    }

                    continue;
                case CheckEntry entry:
                    Enter(entry);
                    var grace = entry.Definition.Grace > StartupGrace ? entry.Definition.Grace : StartupGrace;
                    entry.State.NotBefore = Instants.Add(now, grace);
                    Touch(entry);
                    break;
                case TimedObligation { WaitsOutBlindSpan: false }:
                    // Acts at the next tick, on time: nothing it does can be a false alarm.
                    continue;
                case TimedObligation timed:
                    _heap.Set(timed, Instants.Add(now, StartupGrace));
                    break;
            }

            moved++;
        }

        var gap = now - lastWatched;
        var reason = $"Vigil was not watching for {Durations.Format(TimeSpan.FromSeconds(Math.Round(gap.TotalSeconds)))} " +
                     $"({Timestamps.Format(lastWatched)} to {Timestamps.Format(now)}, {cause}); " +
                     $"{moved} check(s) with deadlines in that span get until at least {Timestamps.Format(Instants.Add(now, StartupGrace))} before any alert";
        _changes.Notifications.Add(new Notification
        {
            Id = _entropy.NewId(now),
            Alert = AlertKind.VigilRestarted,
            State = Notification.Firing,
            Severity = Severity.Info,
            Reason = reason,
            At = now,
            Since = lastWatched,
        });
        _changes.Events.Add(new CheckEvent { Check = "", At = now, Type = EventTypes.VigilRestarted, Reason = reason });
        return moved;
    }

    private enum DeadlineKind { Late, Down, RunOverdue, LeaseExpiry, DataStale, FlappingEnd, ProbeDue, ProbeLost }

    private readonly record struct Deadline(DeadlineKind Kind, DateTimeOffset At, object? Target);

    private static DateTimeOffset? NextExpected(CheckEntry e) =>
        e.Definition.Kind == CheckKind.Probe ? e.State.NextProbeAt
        : e.Schedule is not null && e.State.ScheduleAnchor is { } anchor ? e.Schedule.NextAfter(anchor) : null;

    private static IEnumerable<Deadline> Deadlines(CheckEntry e)
    {
        var s = e.State;
        if (s.Status == CheckStatus.Paused)
        {
            yield break;
        }

        if (e.Definition.Kind == CheckKind.Probe)
        {
            // A probe check is fed by its own runs only: no schedule of signals, runs or leases to keep.
            foreach (var probe in ProbeDeadlines(e))
            {
                yield return probe;
            }

            if (s.Flapping && s.StatusChanges.Count > 0)
            {
                yield return new(DeadlineKind.FlappingEnd, Instants.Add(s.StatusChanges[^1], e.Definition.Flapping.Window), null);
            }

            yield break;
        }

        // A held lease is proof of life: while one is held the schedule cannot make the check late.
        if (NextExpected(e) is { } next && s.Leases.Count == 0)
        {
            if (s.Status == CheckStatus.Up) yield return new(DeadlineKind.Late, next, null);
            if (s.Status == CheckStatus.Grace) yield return new(DeadlineKind.Down, Instants.Add(next, e.Definition.Grace), null);
        }

        foreach (var run in s.OpenRuns)
        {
            if (run.Deadline is { } d) yield return new(DeadlineKind.RunOverdue, d, run);
        }

        foreach (var lease in s.Leases)
        {
            yield return new(DeadlineKind.LeaseExpiry, lease.ExpiresAt, lease);
        }

        if (e.Definition.MaxDataAge is { } maxAge && s.DataTs is { } dataTs && !IsFiring(s, AlertKind.DataStale))
        {
            yield return new(DeadlineKind.DataStale, Instants.Add(dataTs, maxAge), null);
        }

        if (s.Flapping && s.StatusChanges.Count > 0)
        {
            yield return new(DeadlineKind.FlappingEnd, Instants.Add(s.StatusChanges[^1], e.Definition.Flapping.Window), null);
        }
    }

    private static Deadline? Earliest(CheckEntry e)
    {
        Deadline? earliest = null;
        foreach (var d in Deadlines(e))
        {
            if (earliest is null || d.At < earliest.Value.At)
            {
                earliest = d;
            }
        }

        // A probe run measures the present, so a blind span does not postpone it (its in-flight run is dropped instead).
        if (earliest is { Kind: not (DeadlineKind.ProbeDue or DeadlineKind.ProbeLost) } found && e.State.NotBefore is { } notBefore && found.At < notBefore)
        {
            return found with { At = notBefore };
        }

        return earliest;
    }

    /// <summary>A deadline at <see cref="DateTimeOffset.MaxValue"/> means never (a saturated sum): it stays out of the heap.</summary>
    private void Reschedule(CheckEntry entry) =>
        _heap.Set(entry, entry.Fault is null && Earliest(entry)?.At is { } at && at != DateTimeOffset.MaxValue ? at : null);

    private void ProcessDue(CheckEntry entry, DateTimeOffset now)
    {
        // Each step removes or moves the deadline it acted on; the bound only guards against a rule bug.
        for (var step = 0; step < MaxStepsPerDue && Earliest(entry) is { } d && d.At <= now; step++)
        {
            Apply(entry, d, now);
        }
    }

    private void Apply(CheckEntry e, Deadline d, DateTimeOffset now)
    {
        var s = e.State;
        var def = e.Definition;
        switch (d.Kind)
        {
            case DeadlineKind.Late:
                var expected = NextExpected(e)!.Value;
                if (def.Grace > TimeSpan.Zero)
                {
                    SetStatus(e, CheckStatus.Grace, $"late: expected a signal at {Timestamps.Format(expected)} ({def.DescribeSchedule()})", now);
                }
                else
                {
                    GoDown(e, $"no signal since {Format(s.LastSignalAt)}; expected at {Timestamps.Format(expected)} ({def.DescribeSchedule()}, no grace)", now);
                }

                break;
            case DeadlineKind.Down:
                var due = NextExpected(e)!.Value;
                GoDown(e, $"no signal since {Format(s.LastSignalAt)}; expected at {Timestamps.Format(due)} ({def.DescribeSchedule()}), grace {Durations.Format(def.Grace)} ran out", now);
                break;
            case DeadlineKind.RunOverdue:
                var run = (OpenRun)d.Target!;
                EndRun(e, run, RunOutcomes.MaxRuntimeExceeded, null, $"exceeded max_runtime {Durations.Format(def.EffectiveMaxRuntime)}", null, false, now);
                if (run.LeaseToken is { } token)
                {
                    s.Leases.RemoveAll(l => l.Token == token);
                }

                GoDown(e, $"run {run.Rid} started at {Timestamps.Format(run.StartedAt)} exceeded max_runtime {Durations.Format(def.EffectiveMaxRuntime)}", now);
                break;
            case DeadlineKind.LeaseExpiry:
                var lease = (HeldLease)d.Target!;
                s.Leases.Remove(lease);
                var leaseRun = s.OpenRuns.FirstOrDefault(r => r.LeaseToken == lease.Token);
                var why = $"lease held by {lease.Holder} (fencing token {lease.FencingToken}) expired at {Timestamps.Format(lease.ExpiresAt)} without renewal or release";
                Record(e, EventTypes.LeaseExpired, why, now, rid: lease.Rid);
                if (leaseRun is not null)
                {
                    EndRun(e, leaseRun, RunOutcomes.LeaseExpired, null, "lease expired", null, false, now);
                }

                GoDown(e, why, now);
                break;
            case DeadlineKind.DataStale:
                var age = now - s.DataTs!.Value;
                Fire(e, AlertKind.DataStale, def.Severity,
                    $"data is {Durations.Format(Round(age))} old (data_ts {Timestamps.Format(s.DataTs.Value)}), max_data_age is {Durations.Format(def.MaxDataAge!.Value)}", now);
                break;
            case DeadlineKind.ProbeDue:
                // Asking for a run is not written to the store: nothing of it needs to survive a restart (a run in
                // flight then is asked for again anyway), and a probe check is then written once per run, with its
                // result, instead of twice.
                RequestProbe(e, now);
                Reschedule(e);
                return;
            case DeadlineKind.ProbeLost:
                ReportLostProbe(e, d, now);
                break;
            case DeadlineKind.FlappingEnd:
                s.Flapping = false;
                s.StatusChanges.Clear();
                Resolve(e, AlertKind.Flapping, $"stable for {Durations.Format(def.Flapping.Window)}; status is {s.Status.Text()}", now);
                ReconcileNotifications(e, now);
                break;
        }

        Touch(e);
    }

    private static TimeSpan Round(TimeSpan t) => TimeSpan.FromSeconds(Math.Round(t.TotalSeconds));

    private static string Format(DateTimeOffset? t) => t is { } v ? Timestamps.Format(v) : "never";

    private static bool IsFiring(CheckState s, string kind) => s.Alerts.TryGetValue(kind, out var a) && a.Firing;
}
