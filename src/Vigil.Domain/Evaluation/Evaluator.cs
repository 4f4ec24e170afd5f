using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;
using Vigil.Domain.Time;

namespace Vigil.Domain.Evaluation;

/// <summary>
/// The deterministic heart of Vigil: one state machine per check, deadlines in a heap, every change
/// collected into <see cref="Changes"/> for the store. Not thread-safe by design: exactly one loop owns it.
/// Time comes only from the injected <see cref="TimeProvider"/>, so replaying the same signals on a fake
/// clock gives the same states.
/// </summary>
public sealed partial class Evaluator
{
    /// <summary>A data_ts further ahead of Vigil's clock than this is recorded with a warning.</summary>
    public static readonly TimeSpan ClientClockTolerance = TimeSpan.FromSeconds(5);

    /// <summary>How long after a blind span Vigil waits before acting on deadlines that fell in it. The default value is 2 minutes.</summary>
    public static readonly TimeSpan DefaultStartupGrace = TimeSpan.FromMinutes(2);

    private readonly TimeProvider _time;
    private readonly Dictionary<string, CheckEntry> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, CheckEntry> _byUuid = [];
    private readonly DeadlineHeap _heap = new();
    private Changes _changes = new();

    public Evaluator(TimeProvider time, TimeSpan? startupGrace = null)
    {
        _time = time;
        StartupGrace = startupGrace ?? DefaultStartupGrace;
    }

    public TimeSpan StartupGrace { get; set; }

    public int Count => _byName.Count;

    /// <summary>The earliest instant at which <see cref="Tick"/> has work, or null when nothing is pending.</summary>
    public DateTimeOffset? NextDeadline => _heap.Peek()?.Due;

    /// <summary>Changes made since the last call; the caller commits them.</summary>
    public Changes TakeChanges()
    {
        var taken = _changes;
        _changes = new Changes();
        return taken;
    }

    public bool HasChanges => !_changes.IsEmpty;

    private DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Loads a check as persisted, without recording any change.</summary>
    public void Load(CheckDefinition definition, CheckState state)
    {
        var entry = new CheckEntry(definition, state);
        _byName[definition.Name] = entry;
        _byUuid[definition.Uuid] = entry;
        Reschedule(entry);
    }

    public IEnumerable<(CheckDefinition Definition, CheckState State)> Checks =>
        _byName.Values.Select(e => (e.Definition, e.State));

    public (CheckDefinition Definition, CheckState State)? Find(string name) =>
        _byName.TryGetValue(name, out var e) ? (e.Definition, e.State) : null;

    public (CheckDefinition Definition, CheckState State)? Find(Guid uuid) =>
        _byUuid.TryGetValue(uuid, out var e) ? (e.Definition, e.State) : null;

    /// <summary>The next instant at which this check's schedule expects a signal, if it has one.</summary>
    public DateTimeOffset? NextExpected(string name) =>
        _byName.TryGetValue(name, out var e) ? NextExpected(e) : null;

    public DateTimeOffset? NextDeadlineOf(string name) =>
        _byName.TryGetValue(name, out var e) && e.HeapIndex >= 0 ? e.Due : null;

    private static DateTimeOffset? NextExpected(CheckEntry e) =>
        e.Schedule is not null && e.State.ScheduleAnchor is { } anchor ? e.Schedule.NextAfter(anchor) : null;

    // ---- definitions ----------------------------------------------------------------------------------

    public UpsertStatus Upsert(CheckDefinition definition, bool fromConfig = false)
    {
        var now = Now;
        if (definition.Uuid == Guid.Empty)
        {
            definition = definition with
            {
                Uuid = _byName.TryGetValue(definition.Name, out var current) ? current.Definition.Uuid : Guid.NewGuid(),
            };
        }

        if (_byUuid.TryGetValue(definition.Uuid, out var owner) && owner.Definition.Name != definition.Name)
        {
            return UpsertStatus.UuidTaken;
        }

        if (_byName.TryGetValue(definition.Name, out var existing))
        {
            if (!fromConfig && existing.Definition.ManagedBy == ManagedBy.Config)
            {
                return UpsertStatus.ManagedByConfig;
            }

            if (existing.Definition.HasSameSettingsAs(definition))
            {
                return UpsertStatus.Replaced;
            }

            _byUuid.Remove(existing.Definition.Uuid);
            existing.Redefine(definition);
            _byUuid[definition.Uuid] = existing;
            if (definition.Paused && existing.State.Status != CheckStatus.Paused)
            {
                SetPaused(existing, now, "paused by its definition");
            }

            ReapplyRunDeadlines(existing);
            Record(existing, EventTypes.Updated, "definition replaced", now);
            Touch(existing);
            return UpsertStatus.Replaced;
        }

        var state = new CheckState { StatusSince = now };
        if (definition.Paused)
        {
            state.Status = CheckStatus.Paused;
        }

        var entry = new CheckEntry(definition, state);
        _byName[definition.Name] = entry;
        _byUuid[definition.Uuid] = entry;
        Record(entry, EventTypes.Created, $"created ({definition.DescribeSchedule()})", now);
        Touch(entry);
        return UpsertStatus.Created;
    }

    /// <summary>Applies new max_runtime rules to runs already open when a definition changes.</summary>
    private static void ReapplyRunDeadlines(CheckEntry entry)
    {
        foreach (var run in entry.State.OpenRuns)
        {
            run.Deadline = RunDeadline(entry.Definition, run.StartedAt, run.LeaseToken is not null);
        }
    }

    public DeleteStatus Delete(string name, bool fromConfig = false)
    {
        if (!_byName.TryGetValue(name, out var entry))
        {
            return DeleteStatus.NotFound;
        }

        if (!fromConfig && entry.Definition.ManagedBy == ManagedBy.Config)
        {
            return DeleteStatus.ManagedByConfig;
        }

        var now = Now;
        foreach (var (kind, alert) in entry.State.Alerts)
        {
            if (alert.Firing)
            {
                Resolve(entry, kind, "the check was deleted", now);
            }
        }

        _byName.Remove(name);
        _byUuid.Remove(entry.Definition.Uuid);
        _heap.Remove(entry);
        _changes.Checks.Remove(name);
        _changes.DeletedChecks.Add(name);
        return DeleteStatus.Deleted;
    }

    public bool Pause(string name, string reason = "paused")
    {
        if (!_byName.TryGetValue(name, out var entry))
        {
            return false;
        }

        if (entry.State.Status != CheckStatus.Paused)
        {
            SetPaused(entry, Now, reason);
            Touch(entry);
        }

        return true;
    }

    public bool Resume(string name)
    {
        if (!_byName.TryGetValue(name, out var entry))
        {
            return false;
        }

        if (entry.State.Status == CheckStatus.Paused)
        {
            // As Healthchecks does: a resumed check waits for its next signal before it can be late.
            SettlePausedObligations(entry, Now);
            SetStatus(entry, CheckStatus.New, "resumed", Now);
            entry.State.ScheduleAnchor = null;
            Touch(entry);
        }

        return true;
    }

    /// <summary>
    /// A paused check is not evaluated, so obligations that fell due while it was paused are settled without
    /// alerting when it resumes (or when an acquire needs the slot): an expired lease is freed and its run ends
    /// <c>lease_expired</c>, an overdue run ends <c>max_runtime_exceeded</c>. Neither makes the check down.
    /// </summary>
    private void SettlePausedObligations(CheckEntry entry, DateTimeOffset now)
    {
        var s = entry.State;
        foreach (var lease in s.Leases.Where(l => l.ExpiresAt <= now).ToList())
        {
            s.Leases.Remove(lease);
            Record(entry, EventTypes.LeaseExpired,
                $"lease held by {lease.Holder} (fencing token {lease.FencingToken}) expired at {Timestamps.Format(lease.ExpiresAt)} while the check was paused",
                now, rid: lease.Rid);
            if (s.OpenRuns.FirstOrDefault(r => r.LeaseToken == lease.Token) is { } leaseRun)
            {
                EndRun(entry, leaseRun, RunOutcomes.LeaseExpired, null, "lease expired while the check was paused", null, false, now);
            }
        }

        foreach (var run in s.OpenRuns.Where(r => r.Deadline <= now).ToList())
        {
            EndRun(entry, run, RunOutcomes.MaxRuntimeExceeded, null, "exceeded max_runtime while the check was paused", null, false, now);
            if (run.LeaseToken is { } token)
            {
                s.Leases.RemoveAll(l => l.Token == token);
            }
        }
    }

    private void SetPaused(CheckEntry entry, DateTimeOffset now, string reason)
    {
        SetStatus(entry, CheckStatus.Paused, reason, now);
        foreach (var (kind, alert) in entry.State.Alerts.ToList())
        {
            if (alert.Firing)
            {
                Resolve(entry, kind, "the check was paused", now);
            }
        }
    }

    // ---- time ------------------------------------------------------------------------------------------

    /// <summary>Acts on every deadline that has passed. Cost is O(log n) per due check; nothing is scanned.</summary>
    public int Tick()
    {
        var now = Now;
        var handled = 0;
        while (_heap.Peek() is { } entry && entry.Due <= now)
        {
            ProcessDue(entry, now);
            Reschedule(entry);
            handled++;
        }

        return handled;
    }

    /// <summary>
    /// Vigil was not watching from <paramref name="lastWatched"/> until now (it was down, suspended, or the
    /// wall clock jumped). Every deadline that fell in that span is moved to now + max(grace, startup_grace),
    /// and one vigil_restarted notification summarises the gap.
    /// </summary>
    public int RecoverBlindSpan(DateTimeOffset lastWatched, string cause)
    {
        var now = Now;
        var moved = 0;
        foreach (var entry in _byName.Values)
        {
            if (entry.HeapIndex < 0 || entry.Due > now)
            {
                continue;
            }

            var grace = entry.Definition.Grace > StartupGrace ? entry.Definition.Grace : StartupGrace;
            entry.State.NotBefore = now + grace;
            Touch(entry);
            Reschedule(entry);
            moved++;
        }

        var gap = now - lastWatched;
        var reason = $"Vigil was not watching for {Durations.Format(TimeSpan.FromSeconds(Math.Round(gap.TotalSeconds)))} " +
                     $"({Timestamps.Format(lastWatched)} to {Timestamps.Format(now)}, {cause}); " +
                     $"{moved} check(s) with deadlines in that span get until at least {Timestamps.Format(now + StartupGrace)} before any alert";
        _changes.Notifications.Add(new Notification
        {
            Id = Guid.CreateVersion7(now),
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

    private enum DeadlineKind { Late, Down, RunOverdue, LeaseExpiry, DataStale, FlappingEnd }

    private readonly record struct Deadline(DeadlineKind Kind, DateTimeOffset At, object? Target);

    private static IEnumerable<Deadline> Deadlines(CheckEntry e)
    {
        var s = e.State;
        if (s.Status == CheckStatus.Paused)
        {
            yield break;
        }

        // A held lease is proof of life: while one is held the schedule cannot make the check late.
        if (NextExpected(e) is { } next && s.Leases.Count == 0)
        {
            if (s.Status == CheckStatus.Up) yield return new(DeadlineKind.Late, next, null);
            if (s.Status == CheckStatus.Grace) yield return new(DeadlineKind.Down, next + e.Definition.Grace, null);
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
            yield return new(DeadlineKind.DataStale, dataTs + maxAge, null);
        }

        if (s.Flapping && s.StatusChanges.Count > 0)
        {
            yield return new(DeadlineKind.FlappingEnd, s.StatusChanges[^1] + e.Definition.Flapping.Window, null);
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

        if (earliest is { } found && e.State.NotBefore is { } notBefore && found.At < notBefore)
        {
            return found with { At = notBefore };
        }

        return earliest;
    }

    private void Reschedule(CheckEntry entry) => _heap.Set(entry, Earliest(entry)?.At);

    private void ProcessDue(CheckEntry entry, DateTimeOffset now)
    {
        // Each step removes or moves the deadline it acted on; the bound only guards against a rule bug.
        for (var step = 0; step < 64 && Earliest(entry) is { } d && d.At <= now; step++)
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

    private void Touch(CheckEntry entry)
    {
        _changes.Touch(entry.Definition, entry.State);
        Reschedule(entry);
    }

    private void Record(CheckEntry e, string type, string reason, DateTimeOffset now, Guid? rid = null, DateTimeOffset? dataTs = null,
        int? exitStatus = null, string? body = null, bool truncated = false, DateTimeOffset? reportedAt = null) =>
        _changes.Events.Add(new CheckEvent
        {
            Check = e.Definition.Name,
            At = now,
            Type = type,
            Reason = reason,
            Rid = rid,
            DataTs = dataTs,
            ExitStatus = exitStatus,
            Body = body,
            BodyTruncated = truncated,
            ReportedAt = reportedAt,
        });
}
