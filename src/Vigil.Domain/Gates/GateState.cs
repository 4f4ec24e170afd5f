namespace Vigil.Domain.Gates;

/// <summary>What a gate keeps: only its kill switch. Whether it is open is derived from the kill switch and
/// the current state of the checks and breakers it covers, never stored, so it cannot go stale.</summary>
public sealed class GateState
{
    public KillSwitch Kill { get; set; } = KillSwitch.Released;

    public GateState Clone() => new() { Kill = Kill };
}
