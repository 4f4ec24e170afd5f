using System.Text.Json.Serialization;

namespace Vigil.Domain.Probes.Definitions;

/// <summary><c>file</c>: the file's modification time, or a timestamp or number read from it by JSONPath or
/// by a regular expression's first group. The file is only ever opened for reading.</summary>
public sealed record FileProbeDefinition : ProbeDefinition
{
    public required string Path { get; init; }
    public string? Json { get; init; }
    public string? Regex { get; init; }
    public ValueKind Value { get; init; } = ValueKind.Number;

    /// <summary>True when <c>age</c> is the age of the file's modification time.</summary>
    [JsonIgnore]
    public bool ReadsModificationTime => Json is null && Regex is null;

    [JsonIgnore]
    public override string Kind => "file";

    [JsonIgnore]
    public override IReadOnlyList<string> Quantities =>
        ReadsModificationTime ? [Quantity.Age, Quantity.Bytes]
        : Value == ValueKind.Timestamp ? [Quantity.Age, Quantity.Value, Quantity.Bytes]
        : [Quantity.Value, Quantity.Bytes];
}
