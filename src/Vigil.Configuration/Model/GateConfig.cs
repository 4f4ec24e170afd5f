using Vigil.Domain.Checks;

namespace Vigil.Configuration;

/// <summary>A gate: open when its kill switch is released, every covered check is at or below
/// <see cref="MaxLevel"/> and every covered breaker is closed. Checks are covered by name or by tag.</summary>
public sealed record GateConfig(string Name)
{
    public IReadOnlyList<string> CheckNames { get; init; } = [];
    public IReadOnlyList<string> CheckTags { get; init; } = [];
    public Level MaxLevel { get; init; } = Level.Ok;
    public IReadOnlyList<string> Breakers { get; init; } = [];
    public bool StartClosed { get; init; }
}
