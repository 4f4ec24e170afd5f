using System.Text.Json.Serialization;

namespace Vigil.Domain.Probes.Definitions;

/// <summary><c>command</c>: a program run directly (no shell) from the config's argv. Without conditions
/// its exit status is read the Nagios plugin way.</summary>
public sealed record CommandProbeDefinition : ProbeDefinition
{
    public required IReadOnlyList<string> Run { get; init; }

    [JsonIgnore]
    public override string Kind => "command";

    [JsonIgnore]
    public override IReadOnlyList<string> Quantities => [Quantity.ExitStatus, Quantity.Value];

    public bool Equals(CommandProbeDefinition? other) => other is not null && base.Equals(other) && Run.SequenceEqual(other.Run);

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Run.Count);

    public override string ToString() => $"command {string.Join(' ', Run)}";
}
