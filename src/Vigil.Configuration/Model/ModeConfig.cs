using Vigil.Domain.Checks;

namespace Vigil.Configuration;

/// <summary>A mode under <c>modes</c>. <see cref="Checks"/> holds, for every check the mode overrides, its
/// complete definition while in that mode (the base definition with the overrides applied).</summary>
public sealed record ModeConfig(string Name)
{
    public IReadOnlyDictionary<string, CheckDefinition> Checks { get; init; } = new Dictionary<string, CheckDefinition>();
}
