using System.Text.Json.Serialization;

namespace Vigil.Domain.Probes.Definitions;

/// <summary><c>memory</c>: bytes used and the percentage of the limit (the cgroup's memory.max), or of the
/// machine's memory when there is no limit.</summary>
public sealed record MemoryProbeDefinition : ProbeDefinition
{
    public required MemoryTarget Target { get; init; }

    /// <summary>The unit name, pid file path, process id or cgroup path.</summary>
    public required string Of { get; init; }

    [JsonIgnore]
    public override string Kind => "memory";

    [JsonIgnore]
    public override IReadOnlyList<string> Quantities => [Quantity.UsedPct, Quantity.UsedBytes];
}
