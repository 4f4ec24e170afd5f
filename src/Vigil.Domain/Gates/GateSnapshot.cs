namespace Vigil.Domain.Gates;

/// <summary>A gate as it was at one commit, for readers.</summary>
public sealed record GateSnapshot(GateDefinition Definition, KillSwitch Kill)
{
    public string Name => Definition.Name;
}
