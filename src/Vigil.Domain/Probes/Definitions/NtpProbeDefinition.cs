using System.Text.Json.Serialization;

namespace Vigil.Domain.Probes.Definitions;

/// <summary><c>ntp</c>: SNTP (RFC 4330) against each server in order until one answers; <c>skew</c> is the
/// absolute offset of Vigil's clock.</summary>
public sealed record NtpProbeDefinition : ProbeDefinition
{
    public const int DefaultPort = 123;

    public required IReadOnlyList<HostPort> Servers { get; init; }

    [JsonIgnore]
    public override string Kind => "ntp";

    [JsonIgnore]
    public override IReadOnlyList<string> Quantities => [Quantity.Skew, Quantity.Latency];

    public bool Equals(NtpProbeDefinition? other) => other is not null && base.Equals(other) && Servers.SequenceEqual(other.Servers);

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Servers.Count);
}
