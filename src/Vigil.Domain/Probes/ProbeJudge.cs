using Vigil.Domain.Checks;

namespace Vigil.Domain.Probes;

/// <summary>
/// Judges a reading against a check's rules: <c>critical_if</c> first, then <c>warn_if</c>, else ok. A probe
/// that could not measure gets the <c>unmeasurable</c> level; a condition naming a quantity the probe did not
/// measure makes it unmeasurable too, rather than quietly ok. A level the probe decided itself (a failed
/// expectation, a Nagios plugin) stands. Pure: the same reading and rules always give the same measurement.
/// </summary>
public static class ProbeJudge
{
    public static Measurement Judge(ProbeReading reading, ProbeRules rules)
    {
        ArgumentNullException.ThrowIfNull(reading);
        ArgumentNullException.ThrowIfNull(rules);
        if (reading.Problem is { } problem)
        {
            return Unmeasurable(reading, rules, problem);
        }

        if (reading.Verdict is { } verdict)
        {
            return new Measurement(reading.At, reading.Quantities, verdict, reading.VerdictReason ?? reading.Subject);
        }

        foreach (var (condition, level) in new[] { (rules.CriticalIf, Level.Critical), (rules.WarnIf, Level.Warning) })
        {
            if (condition is null)
            {
                continue;
            }

            if (!reading.Quantities.TryGetValue(condition.Quantity, out var measured))
            {
                var had = reading.Quantities.Count == 0 ? "nothing" : string.Join(", ", Quantity.All.Where(reading.Quantities.ContainsKey));
                return Unmeasurable(reading, rules, $"{reading.Subject}: no {condition.Quantity} was measured for '{condition}' (measured: {had})");
            }

            if (condition.Holds(measured))
            {
                return new Measurement(reading.At, reading.Quantities, level, $"{Phrase(reading, condition.Quantity, measured)} ({Thresholds(rules)})");
            }
        }

        var named = rules.CriticalIf ?? rules.WarnIf;
        var reason = named is not null
            ? $"{Phrase(reading, named.Quantity, reading.Quantities[named.Quantity])} ({Thresholds(rules)})"
            : Summary(reading);
        return new Measurement(reading.At, reading.Quantities, Level.Ok, reason);
    }

    /// <summary>The sentence for one quantity: the probe's own wording when it gave one, else a default.</summary>
    public static string Phrase(ProbeReading reading, string quantity, double value)
    {
        ArgumentNullException.ThrowIfNull(reading);
        if (reading.Phrases.TryGetValue(quantity, out var phrase))
        {
            return phrase;
        }

        var s = reading.Subject;
        var v = Phrasing.Value(quantity, value);
        return quantity switch
        {
            Quantity.Age when value < 0 => $"{s} is {Phrasing.Duration(-value)} in the future",
            Quantity.Age => $"{s} is {v} old",
            Quantity.Skew => $"{s} is off by {v}",
            Quantity.Latency => $"{s} took {v}",
            Quantity.Rows => $"{s} returned {v} row{(value == 1 ? "" : "s")}",
            Quantity.UsedPct => $"{s} uses {v} of its limit",
            Quantity.UsedBytes => $"{s} uses {v}",
            Quantity.Status => $"{s} answered {v}",
            Quantity.DaysLeft => $"{s}'s certificate expires in {Phrasing.Number(Math.Round(value, 1))} days",
            Quantity.Bytes => $"{s} is {v}",
            Quantity.ExitStatus => $"{s} exited with status {v}",
            _ => $"{s} is {v}",
        };
    }

    private static Measurement Unmeasurable(ProbeReading reading, ProbeRules rules, string problem) =>
        new(reading.At, reading.Quantities, rules.Unmeasurable, problem) { Unmeasurable = true };

    /// <summary>Without conditions: the first measured quantity in the usual order (latency last, since it is
    /// rarely the point).</summary>
    private static string Summary(ProbeReading reading)
    {
        var first = Quantity.All.Where(q => q != Quantity.Latency).Append(Quantity.Latency).FirstOrDefault(reading.Quantities.ContainsKey);
        return first is null ? reading.Subject : Phrase(reading, first, reading.Quantities[first]);
    }

    private static string Thresholds(ProbeRules rules)
    {
        var parts = new List<string>(2);
        if (rules.WarnIf is { } w)
        {
            parts.Add(Threshold(w, "warning", "warn"));
        }

        if (rules.CriticalIf is { } c)
        {
            parts.Add(Threshold(c, "critical", "critical"));
        }

        return string.Join(", ", parts);
    }

    private static string Threshold(Condition c, string level, string verb) =>
        c.Quantity == Quantity.Age && c.Operator is ComparisonOperator.Greater or ComparisonOperator.GreaterOrEqual
            ? $"{verb} after {c.Literal}"
            : $"{level} if {c}";
}
