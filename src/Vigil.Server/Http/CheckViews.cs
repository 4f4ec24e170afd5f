using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;

namespace Vigil.Server.Http;

internal sealed record CheckSummary(
    string Name, Guid Uuid, string Kind, string Status, string Level, bool Started,
    DateTimeOffset? LastSignalAt, DateTimeOffset? NextDeadlineAt, DateTimeOffset? NextExpectedAt,
    DateTimeOffset? DataTs, double? DataAgeS, IReadOnlyList<string> Tags, string Severity, string ManagedBy,
    bool Flapping, string PingUrl);

internal sealed record RunView(Guid Rid, DateTimeOffset StartedAt, DateTimeOffset? Deadline, string? Holder);

internal sealed record LeaseView(string Holder, long FencingToken, DateTimeOffset AcquiredAt, DateTimeOffset ExpiresAt, Guid Rid);

/// <summary><c>held_back</c>: why people have not been told yet (a silence, a maintenance window, a dependency that is down).</summary>
internal sealed record AlertView(string Alert, string Severity, DateTimeOffset Since, string Reason, bool Notified, string? HeldBack);

internal sealed record FlappingView(int Changes, double WindowS);

internal sealed record KeywordsView(IReadOnlyList<string> Success, IReadOnlyList<string> Failure, IReadOnlyList<string> Start);

internal sealed record CheckSettingsView(
    double? EveryS, string? Cron, string Tz, double GraceS, double? MaxRuntimeS, double? MinIntervalS, double? MaxDataAgeS,
    int FailAfter, int RecoverAfter, FlappingView Flapping, string? Description, string? Runbook, bool ManualResume,
    int Concurrency, IReadOnlyList<string> DependsOn, KeywordsView? Keywords);

/// <summary>A probe check's latest result (the spec's <c>measurement</c>): quantities in seconds for durations.</summary>
internal sealed record MeasurementView(DateTimeOffset At, IReadOnlyDictionary<string, double> Quantities, string Level, string Reason, bool Unmeasurable);

/// <summary>A probe check's runs: what it measures, when it runs next, and the run in flight (asked for, not answered yet).</summary>
internal sealed record ProbeView(string Kind, double TimeoutS, string? WarnIf, string? CriticalIf, string Unmeasurable, DateTimeOffset? NextRunAt,
    DateTimeOffset? InFlightDueAt);

internal sealed record CheckDetail(
    CheckSummary Check, CheckSettingsView Settings, DateTimeOffset? StatusSince, DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt, double? LastDurationS, int ConsecutiveFailures, int ConsecutiveSuccesses,
    IReadOnlyList<RunView> OpenRuns, IReadOnlyList<LeaseView> Leases, IReadOnlyList<AlertView> Alerts, string? Fault,
    MeasurementView? Measurement = null, ProbeView? Probe = null);

/// <summary>Builds the API's views from a published snapshot: never from the writer's live state.</summary>
internal static class CheckViews
{
    public static CheckSummary Summary(CheckSnapshot snapshot, DateTimeOffset now)
    {
        var (d, s) = (snapshot.Definition, snapshot.State);
        return new(
            d.Name, d.Uuid, d.Kind.Text(), s.Status.Text(), snapshot.Level.Text(), s.Started,
            s.LastSignalAt, snapshot.NextDeadline, snapshot.NextExpected,
            s.DataTs, s.DataTs is { } ts ? Math.Round((now - ts).TotalSeconds, 3) : null, d.Tags, d.Severity.Text(), d.ManagedBy.Text(),
            s.Flapping, $"/ping/{d.Uuid}");
    }

    /// <summary>One check in full. <paramref name="probeInFlight"/>: for a probe check, the slot of its run waiting or
    /// running in the scheduler, if any (asking for a run is not written to the store, so the snapshot does not know it).</summary>
    public static CheckDetail Detail(CheckSnapshot snapshot, DateTimeOffset now, DateTimeOffset? probeInFlight = null)
    {
        var (d, s) = (snapshot.Definition, snapshot.State);
        return new(
            Summary(snapshot, now),
            Settings(d),
            s.StatusSince, s.LastSuccessAt, s.LastFailureAt, s.LastDurationSeconds, s.ConsecutiveFailures, s.ConsecutiveSuccesses,
            [.. s.OpenRuns.Select(r => new RunView(r.Rid, r.StartedAt, r.Deadline, r.Holder))],
            [.. s.Leases.Select(l => new LeaseView(l.Holder, l.FencingToken, l.AcquiredAt, l.ExpiresAt, l.Rid))],
            [.. s.Alerts.Where(a => a.Value.Firing).Select(a => new AlertView(a.Key, a.Value.Severity.Text(), a.Value.Since, a.Value.Reason, a.Value.Notified, a.Value.HeldBack))],
            snapshot.Fault,
            s.Measurement is { } m ? new MeasurementView(m.At, m.Quantities, m.Level.Text(), m.Reason, m.Unmeasurable) : null,
            d.Probe is { } p
                ? new ProbeView(p.Kind, p.Timeout.TotalSeconds, d.WarnIf?.ToString(), d.CriticalIf?.ToString(), d.Unmeasurable.Text(),
                    NextRun(s, now, probeInFlight), probeInFlight ?? s.ProbeInFlight?.DueAt)
                : null);
    }

    /// <summary>When the next run starts: its slot, or now when one is due and none is in flight; null while paused, or
    /// while a run is in flight and the next slot is not known yet.</summary>
    private static DateTimeOffset? NextRun(CheckState s, DateTimeOffset now, DateTimeOffset? inFlight) =>
        s.Status == CheckStatus.Paused ? null
        : inFlight is not null || s.ProbeInFlight is not null ? (s.NextProbeAt > now ? s.NextProbeAt : null)
        : s.NextProbeAt > now ? s.NextProbeAt : now;

    public static CheckSettingsView Settings(CheckDefinition d) => new(
        d.Every?.TotalSeconds, d.Cron, d.Tz, d.Grace.TotalSeconds, d.MaxRuntime?.TotalSeconds, d.MinInterval?.TotalSeconds,
        d.MaxDataAge?.TotalSeconds, d.FailAfter, d.RecoverAfter, new FlappingView(d.Flapping.Changes, d.Flapping.Window.TotalSeconds),
        d.Description, d.Runbook, d.ManualResume, d.Concurrency, d.DependsOn,
        d.Keywords is { } k ? new KeywordsView(k.Success, k.Failure, k.Start) : null);
}
