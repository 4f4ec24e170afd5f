using System.Text.Json.Serialization;

namespace Vigil.Domain.Probes.Definitions;

/// <summary><c>tcp</c>: a connection is opened and closed; nothing is sent.</summary>
public sealed record TcpProbeDefinition : ProbeDefinition
{
    public required string Host { get; init; }
    public required int Port { get; init; }

    [JsonIgnore]
    public override string Kind => "tcp";

    [JsonIgnore]
    public override IReadOnlyList<string> Quantities => [Quantity.Latency];
}
