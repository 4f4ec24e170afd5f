using System.Text.Json.Serialization;

namespace Vigil.Domain.Probes.Definitions;

/// <summary><c>tls</c>: a TLS handshake; the days left on the server's certificate.</summary>
public sealed record TlsProbeDefinition : ProbeDefinition
{
    public const int DefaultPort = 443;

    public required string Host { get; init; }
    public int Port { get; init; } = DefaultPort;

    /// <summary>The name sent (SNI) and verified; <see cref="Host"/> when not given.</summary>
    public string? ServerName { get; init; }

    public string? CaFile { get; init; }
    public bool TlsVerify { get; init; } = true;

    [JsonIgnore]
    public override string Kind => "tls";

    [JsonIgnore]
    public override IReadOnlyList<string> Quantities => [Quantity.DaysLeft, Quantity.Latency];
}
