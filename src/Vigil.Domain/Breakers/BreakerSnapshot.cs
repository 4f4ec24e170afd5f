using Vigil.Domain.Checks;

namespace Vigil.Domain.Breakers;

/// <summary>A breaker as it was at one commit, for readers (the API, health, gates): a private copy of its
/// state. Treat <see cref="State"/> as read-only.</summary>
public sealed record BreakerSnapshot(BreakerDefinition Definition, BreakerState State)
{
    public string Name => Definition.Name;

    public BreakerStatus Status => State.Status;

    public Level Level => State.LevelFor(Definition);
}
