using Vigil.Domain.Breakers;
using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;

namespace Vigil.Domain.Gates;

/// <summary>
/// Decides whether a gate is open: its kill switch released, every covered check at or below its max_level,
/// every covered breaker closed (or disabled: an operator switched that breaker off, so it blocks nothing).
/// Pure, so the evaluator and the read model judge the same way. Only checks that are not ok can close a
/// gate, so callers pass just those; a gate costs O(not-ok checks + its breakers), never a scan of every check.
/// </summary>
public static class GateJudge
{
    public static IReadOnlyList<GateReason> Reasons(GateSnapshot gate, IEnumerable<CheckSnapshot> notOkChecks,
        Func<string, CheckSnapshot?> findCheck, Func<string, BreakerSnapshot?> findBreaker)
    {
        var reasons = new List<GateReason>();
        var definition = gate.Definition;
        if (gate.Kill.Engaged)
        {
            reasons.Add(new GateReason(GateReason.KillKind, definition.Name,
                $"kill switch engaged by {gate.Kill.By ?? "unknown"}" + (gate.Kill.Reason is { } r ? $": {r}" : "")));
        }

        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in definition.CheckNames)
        {
            // A named check that does not exist cannot vouch for anything: a gate that covers it stays closed.
            if (findCheck(name) is null && named.Add(name))
            {
                reasons.Add(new GateReason(GateReason.CheckKind, name, "no such check"));
            }
        }

        if (definition.MaxLevel != Level.Critical)
        {
            foreach (var check in notOkChecks.Where(c => c.Level > definition.MaxLevel && definition.Covers(c.Name, c.Definition.Tags))
                         .OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                var why = check.Fault ?? string.Join("; ", check.State.Alerts.Where(a => a.Value.Firing).Select(a => $"{a.Key}: {a.Value.Reason}"));
                reasons.Add(new GateReason(GateReason.CheckKind, check.Name,
                    $"level {check.Level.Text()} is above {definition.MaxLevel.Text()}" + (why.Length > 0 ? $" ({why})" : "")));
            }
        }

        foreach (var name in definition.Breakers)
        {
            switch (findBreaker(name))
            {
                case null:
                    reasons.Add(new GateReason(GateReason.BreakerKind, name, "no such breaker"));
                    break;
                case { Status: BreakerStatus.Closed or BreakerStatus.Disabled }:
                    break;
                case var breaker:
                    reasons.Add(new GateReason(GateReason.BreakerKind, name, Describe(breaker)));
                    break;
            }
        }

        return reasons;
    }

    private static string Describe(BreakerSnapshot breaker)
    {
        var s = breaker.State;
        return s.Status switch
        {
            BreakerStatus.Open => $"open until {Time.Timestamps.Format(s.CooldownUntil ?? s.StatusSince)}" + (s.AlertReason is { } r ? $" ({r})" : ""),
            BreakerStatus.HalfOpen => $"half_open: probing ({s.Probes.Count} probe(s) out)",
            BreakerStatus.ForcedOpen => $"forced_open by {s.ForcedBy}: {s.ForcedReason}",
            _ => s.Status.Text(),
        };
    }
}
