using System.Text.Json.Serialization;

namespace Vigil.Domain.Probes.Definitions;

/// <summary><c>sql</c>: one query, on SQLite opened read-only or on PostgreSQL in a read-only transaction.
/// The first column of the first row is the value; <c>rows</c> counts the rows returned.</summary>
public sealed record SqlProbeDefinition : ProbeDefinition
{
    /// <summary>The SQLite file (absolute).</summary>
    public string? Sqlite { get; init; }

    /// <summary>An Npgsql connection string; may hold a password.</summary>
    public string? Postgres { get; init; }

    public required string Query { get; init; }
    public ValueKind Value { get; init; } = ValueKind.Number;

    [JsonIgnore]
    public override string Kind => "sql";

    [JsonIgnore]
    public override IReadOnlyList<string> Quantities =>
        Value == ValueKind.Timestamp ? [Quantity.Age, Quantity.Value, Quantity.Rows, Quantity.Latency] : [Quantity.Value, Quantity.Rows, Quantity.Latency];

    /// <summary>Names the database without its connection string, which may hold a password.</summary>
    [JsonIgnore]
    public string Database => Sqlite is { } path ? System.IO.Path.GetFileName(path) : "PostgreSQL";

    public override string ToString() => $"sql on {(Sqlite ?? "postgres (connection string hidden)")}: {Query}";
}
