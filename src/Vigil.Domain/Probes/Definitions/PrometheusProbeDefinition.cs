using System.Text.Json.Serialization;

namespace Vigil.Domain.Probes.Definitions;

/// <summary><c>prometheus</c>: an instant query (<c>/api/v1/query</c>) that must return one sample.</summary>
public sealed record PrometheusProbeDefinition : ProbeDefinition
{
    /// <summary>The Prometheus server's base URL (<c>http://prometheus:9090</c>).</summary>
    public required Uri Url { get; init; }

    public required string Query { get; init; }

    [JsonIgnore]
    public override string Kind => "prometheus";

    [JsonIgnore]
    public override IReadOnlyList<string> Quantities => [Quantity.Value];
}
