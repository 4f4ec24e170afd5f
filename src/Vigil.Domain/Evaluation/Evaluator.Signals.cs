using Vigil.Domain.Checks;
using Vigil.Domain.Time;

namespace Vigil.Domain.Evaluation;

public sealed partial class Evaluator
{
    /// <summary>A Healthchecks-compatible ping.</summary>
    public PingOutcome Ping(PingSignal signal)
    {
        var now = Now;
        var outcome = PingOutcome.Ok;
        CheckEntry? entry = null;
        if (signal.Uuid is { } uuid)
        {
            entry = Lookup(uuid);
        }
        else if (signal.Name is { } name && (entry = Lookup(name)) is null && signal.CreateWith is { } create)
        {
            var status = Upsert(create with { Name = name, Uuid = Guid.Empty, ManagedBy = ManagedBy.Ping });
            if (status == UpsertStatus.LimitReached)
            {
                return PingOutcome.LimitReached;
            }

            if (status == UpsertStatus.Created)
            {
                entry = _byName[name];
                outcome = PingOutcome.Created;
            }
        }

        if (entry is null)
        {
            return PingOutcome.NotFound;
        }

        if (entry.Definition.Kind == CheckKind.Probe)
        {
            // Vigil measures a probe check itself; a ping would claim a liveness nobody measured.
            return PingOutcome.ProbeCheck;
        }

        CatchUp(entry, now);

        var kind = Classify(entry.Definition, signal);
        if (signal.ReportedAt is { } reported)
        {
            Record(entry, EventTypes.LateReport, $"{Describe(kind, signal.ExitStatus)} reported late; it happened at {Timestamps.Format(reported)}", now,
                signal.Rid, signal.DataTs, signal.ExitStatus, null, false, reported);
        }

        ObserveDataTs(entry, signal.DataTs, now);
        if (entry.State.Status == CheckStatus.Paused)
        {
            if (entry.Definition.ManualResume || kind == PingKind.Log)
            {
                Record(entry, kind == PingKind.Log ? EventTypes.Log : EventTypes.Ignored,
                    kind == PingKind.Log ? "log" : $"{Describe(kind, signal.ExitStatus)} ignored: the check is paused and resumes only by hand",
                    now, signal.Rid, signal.DataTs, signal.ExitStatus, signal.Body, signal.BodyTruncated);
                Touch(entry);
                return outcome;
            }

            SettlePausedObligations(entry, now);
            SetStatus(entry, CheckStatus.New, "a ping resumed it", now);
        }

        switch (kind)
        {
            case PingKind.Log:
                Record(entry, EventTypes.Log, "log", now, signal.Rid, signal.DataTs, null, signal.Body, signal.BodyTruncated);
                break;
            case PingKind.Start:
                Record(entry, EventTypes.Start, "run started", now, signal.Rid, signal.DataTs, null, signal.Body, signal.BodyTruncated);
                StartRun(entry, signal.Rid, holder: null, leaseToken: null, now);
                break;
            case PingKind.Success:
                Record(entry, EventTypes.Success, signal.ExitStatus is 0 ? "exit status 0" : "success", now, signal.Rid, signal.DataTs, signal.ExitStatus, signal.Body, signal.BodyTruncated);
                EndPingRun(entry, signal, RunOutcomes.Success, now);
                Succeed(entry, "success signal", now);
                break;
            case PingKind.Fail:
                var what = signal.ExitStatus is { } code ? $"exit status {code}" : "fail signal";
                Record(entry, EventTypes.Fail, what, now, signal.Rid, signal.DataTs, signal.ExitStatus, signal.Body, signal.BodyTruncated);
                EndPingRun(entry, signal, RunOutcomes.Fail, now);
                Failed(entry, what, now);
                break;
        }

        Touch(entry);
        return outcome;
    }

    private static PingKind Classify(CheckDefinition def, PingSignal signal)
    {
        if (signal.Kind != PingKind.Success || signal.ExitStatus is not null || def.Keywords is not { IsEmpty: false } k || string.IsNullOrEmpty(signal.Body))
        {
            return signal.Kind;
        }

        bool Has(IReadOnlyList<string> words) => words.Any(w => signal.Body.Contains(w, StringComparison.Ordinal));
        if (Has(k.Failure)) return PingKind.Fail;
        if (Has(k.Success)) return PingKind.Success;
        if (Has(k.Start)) return PingKind.Start;
        return PingKind.Log;
    }

    private static string Describe(PingKind kind, int? exitStatus) =>
        exitStatus is { } code ? $"exit status {code}" : kind.ToString().ToLowerInvariant();

    private void ObserveDataTs(CheckEntry e, DateTimeOffset? dataTs, DateTimeOffset now)
    {
        if (dataTs is not { } ts)
        {
            return;
        }

        if (ts > now + ClientClockTolerance)
        {
            Record(e, EventTypes.ClientClockAhead, $"data_ts {Timestamps.Format(ts)} is {Durations.Format(Round(ts - now))} ahead of Vigil's clock", now, dataTs: ts);
        }

        var s = e.State;
        if (s.DataTs is null || ts > s.DataTs)
        {
            s.DataTs = ts;
        }

        // Strictly younger than max_data_age: the DataStale deadline fires at data_ts + max_data_age, so an
        // unchanged data_ts arriving at that very instant must not resolve the alert it just raised.
        if (e.Definition.MaxDataAge is { } maxAge && IsFiring(s, AlertKind.DataStale) && now - s.DataTs.Value < maxAge)
        {
            Resolve(e, AlertKind.DataStale, $"fresh data: data_ts {Timestamps.Format(s.DataTs.Value)}", now);
        }
    }

    /// <summary>The job showed it ran and succeeded.</summary>
    private void Succeed(CheckEntry e, string what, DateTimeOffset now, bool alreadyCounted = false)
    {
        var s = e.State;
        var def = e.Definition;
        if (def.MinInterval is { } min && s.LastSuccessAt is { } previous && now - previous < min)
        {
            Fire(e, AlertKind.TooOften, Severity.Warning,
                $"succeeded {Durations.Format(Round(now - previous))} after the previous success; min_interval is {Durations.Format(min)}", now);
        }
        else if (def.MinInterval is not null)
        {
            Resolve(e, AlertKind.TooOften, "runs are spaced by min_interval again", now);
        }

        s.LastSignalAt = now;
        s.LastSuccessAt = now;
        s.ScheduleAnchor = now;
        s.ConsecutiveFailures = 0;
        if (!alreadyCounted)
        {
            s.ConsecutiveSuccesses++;
        }

        if (s.Status == CheckStatus.Down)
        {
            if (s.ConsecutiveSuccesses >= def.RecoverAfter)
            {
                GoUp(e, s.ConsecutiveSuccesses > 1 ? $"{what}, {s.ConsecutiveSuccesses} in a row" : what, now);
            }
        }
        else
        {
            SetStatus(e, CheckStatus.Up, what, now);
        }
    }

    /// <summary>The job showed it ran and failed.</summary>
    private void Failed(CheckEntry e, string what, DateTimeOffset now)
    {
        var s = e.State;
        s.LastSignalAt = now;
        s.LastFailureAt = now;
        s.ScheduleAnchor = now;
        s.ConsecutiveSuccesses = 0;
        s.ConsecutiveFailures++;
        if (s.ConsecutiveFailures >= e.Definition.FailAfter)
        {
            GoDown(e, e.Definition.FailAfter > 1 ? $"{what}, {s.ConsecutiveFailures} failures in a row" : what, now);
        }
        else if (s.Status is CheckStatus.New or CheckStatus.Grace)
        {
            SetStatus(e, CheckStatus.Up, $"{what} ({s.ConsecutiveFailures} of {e.Definition.FailAfter} failures before down)", now);
        }
    }

    /// <summary>The job showed it is alive and working, without an outcome yet.</summary>
    private void Alive(CheckEntry e, string what, DateTimeOffset now)
    {
        var s = e.State;
        s.LastSignalAt = now;
        s.ScheduleAnchor = now;
        if (s.Status is CheckStatus.New or CheckStatus.Grace)
        {
            SetStatus(e, CheckStatus.Up, what, now);
        }
    }

    private static DateTimeOffset? RunDeadline(CheckDefinition def, DateTimeOffset startedAt, bool underLease) =>
        underLease ? (def.MaxRuntime is { } explicitMax ? Instants.Add(startedAt, explicitMax) : null) : Instants.Add(startedAt, def.EffectiveMaxRuntime);

    private OpenRun StartRun(CheckEntry e, Guid? rid, string? holder, string? leaseToken, DateTimeOffset now)
    {
        var s = e.State;
        if (rid is { } given && s.OpenRuns.FirstOrDefault(r => r.Rid == given) is { } existing)
        {
            // A repeated start of the same run restarts its clock, as a retried start ping should.
            existing.StartedAt = now;
            existing.Deadline = RunDeadline(e.Definition, now, leaseToken is not null);
            Alive(e, "run started", now);
            return existing;
        }

        var run = new OpenRun
        {
            Rid = rid ?? _entropy.NewId(now),
            Implicit = rid is null,
            StartedAt = now,
            Deadline = RunDeadline(e.Definition, now, leaseToken is not null),
            Holder = holder,
            LeaseToken = leaseToken,
        };
        if (run.Implicit && leaseToken is null)
        {
            // Only the newest run without a rid can ever be ended by a ping without one; an older one would
            // linger until max_runtime and raise a false alarm, so the new start supersedes it.
            var superseded = s.OpenRuns.Where(r => r.Implicit && r.LeaseToken is null).ToList();
            foreach (var old in superseded)
            {
                EndRun(e, old, RunOutcomes.Superseded, null, "superseded by a newer start without a rid", null, false, now);
            }
        }

        if (s.OpenRuns.Count >= CheckLimits.MaxOpenRuns && s.OpenRuns.FirstOrDefault(r => r.LeaseToken is null) is { } oldest)
        {
            // Bounded: a job that starts runs and never ends them must not grow memory without end.
            EndRun(e, oldest, RunOutcomes.Superseded, null, $"superseded: more than {CheckLimits.MaxOpenRuns} runs were open", null, false, now);
        }

        s.OpenRuns.Add(run);
        _changes.Run(new RunRecord { Check = e.Definition.Name, Rid = run.Rid, StartedAt = now, Holder = holder });
        Alive(e, "run started", now);
        return run;
    }

    private void EndPingRun(CheckEntry e, PingSignal signal, string outcome, DateTimeOffset now)
    {
        var s = e.State;
        var run = signal.Rid is { } rid
            ? s.OpenRuns.FirstOrDefault(r => r.Rid == rid)
            : s.OpenRuns.LastOrDefault(r => r.Implicit && r.LeaseToken is null);
        if (run is not null)
        {
            EndRun(e, run, outcome, signal.ExitStatus, null, signal.Body, signal.BodyTruncated, now);
            return;
        }

        // A bare success ping (no start, no rid, no log, no exit status) is fully told by its event; a failure,
        // or a ping that carries something a run keeps, becomes a zero-length run. This halves the rows a plain
        // heartbeat writes, which is most of the durable-ping load.
        if (outcome == RunOutcomes.Success && signal.Rid is null && signal.Body is null && signal.ExitStatus is null)
        {
            return;
        }

        _changes.Run(new RunRecord
        {
            Check = e.Definition.Name,
            Rid = signal.Rid ?? _entropy.NewId(now),
            EndedAt = now,
            Outcome = outcome,
            ExitCode = signal.ExitStatus,
            Log = signal.Body,
            LogTruncated = signal.BodyTruncated,
        });
    }

    private void EndRun(CheckEntry e, OpenRun run, string outcome, int? exitCode, string? message, string? log, bool truncated,
        DateTimeOffset now)
    {
        var s = e.State;
        s.OpenRuns.Remove(run);
        var duration = (now - run.StartedAt).TotalSeconds;
        s.LastDurationSeconds = duration;
        s.LastDurationEndAt = now;
        _changes.Run(new RunRecord
        {
            Check = e.Definition.Name,
            Rid = run.Rid,
            StartedAt = run.StartedAt,
            EndedAt = now,
            Outcome = outcome,
            ExitCode = exitCode,
            DurationSeconds = duration,
            Holder = run.Holder,
            Message = message,
            Log = log,
            LogTruncated = truncated,
        });
        if (outcome is RunOutcomes.LeaseExpired or RunOutcomes.MaxRuntimeExceeded)
        {
            Record(e, EventTypes.RunEnded, $"run {run.Rid} ended: {outcome}", now, run.Rid);
        }
    }
}
