using System.Text.Json.Serialization;

namespace Vigil.Domain.Probes.Definitions;

/// <summary><c>redis</c>: one read command (<c>get</c>, <c>hget</c>, <c>xlen</c>, <c>llen</c>).</summary>
public sealed record RedisProbeDefinition : ProbeDefinition
{
    /// <summary>A StackExchange.Redis configuration string (<c>host:port,password=…</c>); may hold a password.</summary>
    public required string Connection { get; init; }

    public required RedisCommand Command { get; init; }
    public required string Key { get; init; }

    /// <summary>The hash field, for <see cref="RedisCommand.HGet"/>.</summary>
    public string? Field { get; init; }

    public ValueKind Value { get; init; } = ValueKind.Number;

    [JsonIgnore]
    public override string Kind => "redis";

    [JsonIgnore]
    public override IReadOnlyList<string> Quantities =>
        Value == ValueKind.Timestamp ? [Quantity.Age, Quantity.Value, Quantity.Latency] : [Quantity.Value, Quantity.Latency];

    public override string ToString() => $"redis {Command.ToString().ToUpperInvariant()} {Key}{(Field is null ? "" : " " + Field)}";
}
