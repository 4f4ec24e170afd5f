namespace Vigil.Domain.Gates;

/// <summary>A gate's kill switch as last set: engaged or released, why, by which key (or <c>vigil</c> for
/// start_closed), and when. Persisted; immutable, so readers can share it.</summary>
public sealed record KillSwitch
{
    public static readonly KillSwitch Released = new();

    public bool Engaged { get; init; }
    public string? Reason { get; init; }
    public string? By { get; init; }
    public DateTimeOffset? At { get; init; }
}
