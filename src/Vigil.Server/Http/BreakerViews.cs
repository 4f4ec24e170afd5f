using Vigil.Domain.Breakers;
using Vigil.Domain.Checks;
using Vigil.Domain.Gates;

namespace Vigil.Server.Http;

/// <summary>The JSON shapes of breakers and gates. Probe tokens are never shown: they are the prober's alone.</summary>
internal static class BreakerViews
{
    public static Dictionary<string, object?> Breaker(BreakerSnapshot b, DateTimeOffset now)
    {
        var d = b.Definition;
        var s = b.State;
        var (windowSuccesses, windowFailures) = s.WindowCounts(d, now);
        return new Dictionary<string, object?>
        {
            ["name"] = d.Name,
            ["state"] = s.Status.Text(),
            ["since"] = s.StatusSince,
            ["level"] = b.Level.Text(),
            ["settings"] = new Dictionary<string, object?>
            {
                ["failure_threshold"] = d.FailureThreshold,
                ["failure_rate"] = d.FailureRate,
                ["min_calls"] = d.UsesRate ? d.MinCalls : null,
                ["window_s"] = d.UsesRate ? d.Window.TotalSeconds : null,
                ["open_for_s"] = d.OpenFor.TotalSeconds,
                ["backoff"] = d.Backoff,
                ["max_open_for_s"] = d.MaxOpenFor.TotalSeconds,
                ["half_open_probes"] = d.HalfOpenProbes,
                ["probe_ttl_s"] = d.ProbeTtl.TotalSeconds,
                ["severity"] = d.Severity.Text(),
            },
            ["counters"] = new Dictionary<string, object?>
            {
                ["consecutive_failures"] = s.ConsecutiveFailures,
                ["window_successes"] = windowSuccesses,
                ["window_failures"] = windowFailures,
                ["successes"] = s.Successes,
                ["failures"] = s.Failures,
                ["trips"] = s.Trips,
            },
            ["opened_at"] = s.OpenedAt,
            ["cooldown_until"] = s.CooldownUntil,
            ["open_for_s"] = s.OpenFor?.TotalSeconds,
            ["last_success_at"] = s.LastSuccessAt,
            ["last_failure_at"] = s.LastFailureAt,
            ["last_error"] = s.LastError,
            ["probes_out"] = s.Probes.Count,
            ["probes"] = s.Probes.Select(p => new Dictionary<string, object?> { ["holder"] = p.Holder, ["granted_at"] = p.GrantedAt, ["expires_at"] = p.ExpiresAt }).ToList(),
            ["forced"] = s.ForcedBy is null ? null : new Dictionary<string, object?> { ["by"] = s.ForcedBy, ["reason"] = s.ForcedReason, ["at"] = s.ForcedAt },
            ["alert"] = new Dictionary<string, object?> { ["firing"] = s.AlertFiring, ["since"] = s.AlertSince, ["reason"] = s.AlertReason },
        };
    }

    /// <summary>A gate's body: always <c>open</c>, <c>reasons</c> and <c>kill</c>, as http-api.md says.</summary>
    public static Dictionary<string, object?> Gate(Engine.GateView view)
    {
        var d = view.Gate.Definition;
        var kill = view.Gate.Kill;
        return new Dictionary<string, object?>
        {
            ["name"] = d.Name,
            ["open"] = view.Open,
            ["reasons"] = view.Reasons.Select(Reason).ToList(),
            ["kill"] = new Dictionary<string, object?> { ["engaged"] = kill.Engaged, ["reason"] = kill.Reason, ["by"] = kill.By, ["at"] = kill.At },
            ["checks"] = new Dictionary<string, object?> { ["names"] = d.CheckNames, ["tags"] = d.CheckTags },
            ["max_level"] = d.MaxLevel.Text(),
            ["breakers"] = d.Breakers,
            ["start_closed"] = d.StartClosed,
        };
    }

    public static Dictionary<string, object?> Reason(GateReason r) =>
        new() { ["kind"] = r.Kind, ["name"] = r.Name, ["detail"] = r.Detail };

    /// <summary>Seconds with millisecond precision, never negative; null stays null (forced open: until released).</summary>
    public static double? Seconds(TimeSpan? span) => span is { } s ? Math.Round(Math.Max(0, s.TotalSeconds), 3) : null;
}
