using Vigil.Domain.Checks;

namespace Vigil.Domain.Probes;

/// <summary>How a probe check judges its measurements: <c>critical_if</c>, <c>warn_if</c> and the level of a
/// probe that could not measure (<c>unmeasurable</c>, critical unless the check says warning).</summary>
public sealed record ProbeRules(Condition? WarnIf, Condition? CriticalIf, Level Unmeasurable = Level.Critical)
{
    public static readonly ProbeRules None = new(null, null);

    public bool HasConditions => WarnIf is not null || CriticalIf is not null;

    public bool Names(string quantity) => WarnIf?.Quantity == quantity || CriticalIf?.Quantity == quantity;

    public static ProbeRules Of(CheckDefinition check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return new ProbeRules(check.WarnIf, check.CriticalIf, check.Unmeasurable);
    }
}
