using System.Text.Json.Serialization;

namespace Vigil.Domain.Probes.Definitions;

/// <summary><c>http_time</c>: a server's clock, read from a JSON field or the <c>Date</c> header, against
/// Vigil's, corrected by half the round trip.</summary>
public sealed record HttpTimeProbeDefinition : ProbeDefinition
{
    public required Uri Url { get; init; }

    /// <summary>A JSONPath to the server's time; null reads the <c>Date</c> header.</summary>
    public string? Json { get; init; }

    /// <summary>The unit of an epoch number; null decides by size (above 10^12 it is milliseconds).</summary>
    public TimeUnit? Unit { get; init; }

    [JsonIgnore]
    public override string Kind => "http_time";

    [JsonIgnore]
    public override IReadOnlyList<string> Quantities => [Quantity.Skew, Quantity.Latency];
}
