using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Time;

namespace Vigil.Domain.Evaluation;

/// <summary>
/// Probe checks: each one's next run is an obligation in the one deadline heap. When it falls due the evaluator
/// does no I/O: it asks for the run (<see cref="Changes.ProbeRequests"/>) and marks it in flight, so a run still
/// going when the next slot comes is never started twice. Results come back as <see cref="Commands.ProbeResultCommand"/>
/// and are judged into status and alerts here: status <c>up</c> at ok and warning, <c>down</c> at critical,
/// counted by <c>fail_after</c>/<c>recover_after</c>; <c>probe_warning</c> and <c>probe_critical</c> alerts through
/// the same Fire/Resolve/notification path as every other alert.
/// </summary>
public sealed partial class Evaluator
{
    /// <summary>How often a probe check without <c>every</c> or <c>cron</c> runs. The default value is 1 minute.</summary>
    public static readonly TimeSpan DefaultProbeEvery = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long past its timeout a run may stay unanswered before it is reported lost (unmeasurable, with that
    /// reason) and asked for again. The scheduler always answers, even when a run throws or its lane dies; this is
    /// the last guard, so no check can be stuck in flight whatever fails. The value is 1 minute.
    /// </summary>
    public static readonly TimeSpan ProbeLostAfter = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A probe run due this soon is asked for in the batch at hand rather than by a wake-up of its own: thousands of
    /// probe checks spread over their periods would otherwise wake the writer for every single run. A run starts at
    /// most this much before its slot. The value is 10 milliseconds.
    /// </summary>
    public static readonly TimeSpan ProbeStartEarly = TimeSpan.FromMilliseconds(10);

    /// <summary>Applies one probe result. A result that does not answer the run in flight (the check was deleted,
    /// paused, redefined or restarted since it was asked for) is stale and changes nothing.</summary>
    public ProbeResultOutcome ProbeResult(string check, Measurement measurement, DateTimeOffset dueAt, DateTimeOffset startedAt, Guid run)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        var now = Now;
        if (Lookup(check) is not { } entry)
        {
            return ProbeResultOutcome.NotFound;
        }

        CatchUp(entry, now);
        var s = entry.State;
        if (entry.Definition.Kind != CheckKind.Probe || s.ProbeInFlight is not { } inFlight || inFlight.Run != run || inFlight.DueAt != dueAt || s.Status == CheckStatus.Paused)
        {
            return ProbeResultOutcome.Stale;
        }

        // Where a run was started late, the history says so: a lag that matters is visible on the check itself.
        var lag = startedAt - dueAt;
        ApplyMeasurement(entry, measurement, now, lag >= LagWorthSaying ? $" (started {Durations.Format(Round(lag))} after it was due)" : "");
        Touch(entry);
        return ProbeResultOutcome.Applied;
    }

    /// <summary>A start this late is mentioned in the result's event.</summary>
    private static readonly TimeSpan LagWorthSaying = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After a restart nothing of the previous process's probe runs can still answer: every run in flight is
    /// dropped and asked for again at once. It is not reported unmeasurable: no alert for time Vigil was not
    /// watching. Returns how many runs were dropped.
    /// </summary>
    public int RestartProbes()
    {
        var now = Now;
        var dropped = 0;
        foreach (var entry in _byName.Values)
        {
            if (entry.State.ProbeInFlight is not null)
            {
                RerunProbe(Enter(entry), now, "Vigil restarted");
                Touch(entry);
                dropped++;
            }
        }

        return dropped;
    }

    private void RerunProbe(CheckEntry e, DateTimeOffset now, string why)
    {
        var run = e.State.ProbeInFlight!;
        e.State.ProbeInFlight = null;
        e.State.NextProbeAt = null;
        Record(e, EventTypes.ProbeRerun, $"the probe run due at {Timestamps.Format(run.DueAt)} was in flight when {why}; it runs again now", now);
    }

    /// <summary>The probe obligations of a check: its next run, or, while a run is in flight, the instant it counts as lost.</summary>
    private static IEnumerable<Deadline> ProbeDeadlines(CheckEntry e)
    {
        if (e.Definition.Probe is not { } probe)
        {
            yield break;
        }

        if (e.State.ProbeInFlight is { } run)
        {
            yield return new(DeadlineKind.ProbeLost, Instants.Add(Instants.Add(run.RequestedAt, probe.Timeout), ProbeLostAfter), run);
        }
        else
        {
            // Null: never run, or asked to run again now.
            yield return new(DeadlineKind.ProbeDue, e.State.NextProbeAt ?? DateTimeOffset.MinValue, null);
        }
    }

    private bool ProbeDueSoon(Obligation obligation, DateTimeOffset now) =>
        obligation is CheckEntry { Fault: null, Definition.Kind: CheckKind.Probe } entry && obligation.Scheduled
        && obligation.Due <= Instants.Add(now, ProbeStartEarly) && Earliest(entry) is { Kind: DeadlineKind.ProbeDue };

    /// <summary>The run fell due: asked for, and marked in flight in memory. Its slot stays the persisted
    /// <see cref="CheckState.NextProbeAt"/> until the result is written, so after a restart it is due at once.</summary>
    private void RequestProbe(CheckEntry e, DateTimeOffset now)
    {
        var s = e.State;
        var due = s.NextProbeAt ?? now;
        var run = new ProbeInFlight(due, now, _entropy.NewId(now));
        s.ProbeInFlight = run;
        s.NextProbeAt = NextProbeSlot(e, due);
        _changes.ProbeRequests.Add(new ProbeRequest(e.Definition.Name, e.Definition, due, run.Run) { Settled = !_redefined.Contains(e.Definition.Name) });
    }

    private void ReportLostProbe(CheckEntry e, Deadline d, DateTimeOffset now)
    {
        var lost = (ProbeInFlight)d.Target!;
        var timeout = e.Definition.Probe!.Timeout;
        ApplyMeasurement(e, new Measurement(now, new Dictionary<string, double>(), e.Definition.Unmeasurable,
            $"no result came back from the {e.Definition.Probe.Kind} probe run due at {Timestamps.Format(lost.DueAt)} within " +
            $"{Durations.Format(timeout + ProbeLostAfter)} of asking for it (its timeout is {Durations.Format(timeout)}); Vigil's probe scheduler lost it; it runs again at its next slot")
        {
            Unmeasurable = true,
        }, now, "");
    }

    /// <summary>
    /// The first slot strictly after <paramref name="after"/>. With <c>every</c>, slots lie on a grid offset by a
    /// stable hash of the check's name, so thousands of checks with the same period spread evenly over it instead of
    /// all falling due at the same instant; with <c>cron</c>, the schedule's next instant.
    /// </summary>
    private static DateTimeOffset NextProbeSlot(CheckEntry e, DateTimeOffset after)
    {
        if (e.Definition.Every is null && e.Schedule is { } cron)
        {
            return cron.NextAfter(after);
        }

        var period = (e.Definition.Every ?? DefaultProbeEvery).Ticks;
        var phase = (long)(StableHash(e.Definition.Name) % (ulong)period);
        var relative = after.UtcTicks - phase;
        var slot = (relative >= 0 ? relative / period : -((-relative + period - 1) / period)) + 1;

        // No overflow: ticks stay below 3.2e18 (year 9999) plus one period of at most 3650 days.
        var ticks = phase + slot * period;
        return ticks > DateTimeOffset.MaxValue.UtcTicks ? DateTimeOffset.MaxValue : new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    /// <summary>FNV-1a over the name's UTF-16 code units: the same phase in every process and on every restart.</summary>
    private static ulong StableHash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    /// <summary>Stores a result and judges it into status and alerts.</summary>
    private void ApplyMeasurement(CheckEntry e, Measurement m, DateTimeOffset now, string note)
    {
        var s = e.State;
        var def = e.Definition;
        s.ProbeInFlight = null;
        s.Measurement = m;
        s.LastSignalAt = now;
        var skipped = 0;
        if (s.NextProbeAt is { } next && next < now)
        {
            // Slots that passed while this run was still going are skipped, never run on top of it.
            var upcoming = next;
            while (upcoming < now && skipped < 1000)
            {
                upcoming = NextProbeSlot(e, upcoming);
                skipped++;
            }

            s.NextProbeAt = upcoming < now ? NextProbeSlot(e, now) : upcoming;
        }

        var skippedNote = skipped > 0 ? $" ({skipped} run{(skipped == 1 ? "" : "s")} skipped while it ran)" : "";
        Record(e, EventTypes.Probe, m.Reason + note + skippedNote, now);

        if (m.Level == Level.Critical)
        {
            s.ConsecutiveSuccesses = 0;
            s.ConsecutiveFailures++;
            s.LastFailureAt = now;
            if (s.ConsecutiveFailures >= def.FailAfter)
            {
                if (s.Status != CheckStatus.Down)
                {
                    SetStatus(e, CheckStatus.Down, def.FailAfter > 1 ? $"{m.Reason}, {s.ConsecutiveFailures} critical results in a row" : m.Reason, now);
                }

                Fire(e, AlertKind.ProbeCritical, def.Severity, m.Reason, now);
            }
            else if (s.Status is CheckStatus.New or CheckStatus.Grace)
            {
                SetStatus(e, CheckStatus.Up, $"{m.Reason} ({s.ConsecutiveFailures} of {def.FailAfter} critical results before down)", now);
            }

            return;
        }

        s.ConsecutiveFailures = 0;
        s.ConsecutiveSuccesses++;
        s.LastSuccessAt = now;
        if (s.Status == CheckStatus.Down)
        {
            if (s.ConsecutiveSuccesses < def.RecoverAfter)
            {
                // Still down until recover_after results in a row are below critical; its alerts stand.
                return;
            }

            SetStatus(e, CheckStatus.Up, def.RecoverAfter > 1 ? $"{m.Reason}, {s.ConsecutiveSuccesses} results in a row below critical" : m.Reason, now);
        }
        else
        {
            SetStatus(e, CheckStatus.Up, m.Reason, now);
        }

        Resolve(e, AlertKind.ProbeCritical, m.Reason, now);
        if (m.Level == Level.Warning)
        {
            Fire(e, AlertKind.ProbeWarning, Severity.Warning, m.Reason, now);
        }
        else
        {
            Resolve(e, AlertKind.ProbeWarning, m.Reason, now);
        }
    }

    /// <summary>
    /// A check's definition changed (an API PUT, a config reload, a mode change). A probe whose measuring or judging
    /// changed runs again at once with the new definition (a run in flight under the old one becomes stale), and a
    /// firing <c>probe_critical</c> takes the new severity at once, with people told: a switch to a strict mode
    /// makes an already critical measurement page as critical without waiting for the next run.
    /// </summary>
    private void ProbeRedefined(CheckEntry e, CheckDefinition before, DateTimeOffset now)
    {
        var def = e.Definition;
        var s = e.State;
        if (def.Kind != CheckKind.Probe)
        {
            if (before.Kind == CheckKind.Probe)
            {
                s.Measurement = null;
                s.ProbeInFlight = null;
                s.NextProbeAt = null;
                Resolve(e, AlertKind.ProbeCritical, "it is no longer a probe check", now);
                Resolve(e, AlertKind.ProbeWarning, "it is no longer a probe check", now);
            }

            return;
        }

        var measuringChanged = before.Kind != CheckKind.Probe || !Equals(before.Probe, def.Probe) || before.WarnIf != def.WarnIf
            || before.CriticalIf != def.CriticalIf || before.Unmeasurable != def.Unmeasurable || before.Every != def.Every
            || before.Cron != def.Cron || before.Tz != def.Tz;
        if (measuringChanged && s.Status != CheckStatus.Paused)
        {
            s.ProbeInFlight = null;
            s.NextProbeAt = null;
        }

        if (s.Alerts.TryGetValue(AlertKind.ProbeCritical, out var critical) && critical.Firing && critical.Severity != def.Severity)
        {
            critical.Severity = def.Severity;
            critical.Reason = $"{critical.Reason}; now {def.Severity.Text()} (the check's severity changed)";
            critical.Notified = false;
            Record(e, EventTypes.AlertFiring, $"{AlertKind.ProbeCritical}: severity is now {def.Severity.Text()}", now);
            NotifyIfDue(e, AlertKind.ProbeCritical, critical, now);
        }
    }
}
