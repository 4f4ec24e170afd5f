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

internal sealed record AlertView(string Alert, string Severity, DateTimeOffset Since, string Reason, bool Notified);

internal sealed record FlappingView(int Changes, double WindowS);

internal sealed record KeywordsView(IReadOnlyList<string> Success, IReadOnlyList<string> Failure, IReadOnlyList<string> Start);

internal sealed record CheckSettingsView(
    double? EveryS, string? Cron, string Tz, double GraceS, double? MaxRuntimeS, double? MinIntervalS, double? MaxDataAgeS,
    int FailAfter, int RecoverAfter, FlappingView Flapping, string? Description, string? Runbook, bool ManualResume,
    int Concurrency, IReadOnlyList<string> DependsOn, KeywordsView? Keywords);

internal sealed record CheckDetail(
    CheckSummary Check, CheckSettingsView Settings, DateTimeOffset? StatusSince, DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt, double? LastDurationS, int ConsecutiveFailures, int ConsecutiveSuccesses,
    IReadOnlyList<RunView> OpenRuns, IReadOnlyList<LeaseView> Leases, IReadOnlyList<AlertView> Alerts);

/// <summary>Builds immutable views on the writer loop, so handlers never read state while it changes.</summary>
internal static class CheckViews
{
    public static CheckSummary Summary(Evaluator e, CheckDefinition d, CheckState s, DateTimeOffset now) => new(
        d.Name, d.Uuid, d.Kind.Text(), s.Status.Text(), s.Level.Text(), s.Started,
        s.LastSignalAt, e.NextDeadlineOf(d.Name), e.NextExpected(d.Name),
        s.DataTs, s.DataTs is { } ts ? Math.Round((now - ts).TotalSeconds, 3) : null, d.Tags, d.Severity.Text(), d.ManagedBy.Text(),
        s.Flapping, $"/ping/{d.Uuid}");

    public static CheckDetail Detail(Evaluator e, CheckDefinition d, CheckState s, DateTimeOffset now) => new(
        Summary(e, d, s, now),
        Settings(d),
        s.StatusSince, s.LastSuccessAt, s.LastFailureAt, s.LastDurationSeconds, s.ConsecutiveFailures, s.ConsecutiveSuccesses,
        [.. s.OpenRuns.Select(r => new RunView(r.Rid, r.StartedAt, r.Deadline, r.Holder))],
        [.. s.Leases.Select(l => new LeaseView(l.Holder, l.FencingToken, l.AcquiredAt, l.ExpiresAt, l.Rid))],
        [.. s.Alerts.Where(a => a.Value.Firing).Select(a => new AlertView(a.Key, a.Value.Severity.Text(), a.Value.Since, a.Value.Reason, a.Value.Notified))]);

    public static CheckSettingsView Settings(CheckDefinition d) => new(
        d.Every?.TotalSeconds, d.Cron, d.Tz, d.Grace.TotalSeconds, d.MaxRuntime?.TotalSeconds, d.MinInterval?.TotalSeconds,
        d.MaxDataAge?.TotalSeconds, d.FailAfter, d.RecoverAfter, new FlappingView(d.Flapping.Changes, d.Flapping.Window.TotalSeconds),
        d.Description, d.Runbook, d.ManualResume, d.Concurrency, d.DependsOn,
        d.Keywords is { } k ? new KeywordsView(k.Success, k.Failure, k.Start) : null);
}
