using System.Text.Json.Serialization;

namespace Vigil.Domain.Probes.Definitions;

/// <summary><c>http</c>: one request; the status, the latency, optionally a value read from the JSON body,
/// and for https the days left on the server's certificate.</summary>
public sealed record HttpProbeDefinition : ProbeDefinition
{
    public static readonly IReadOnlyList<StatusRange> DefaultExpectStatus = [new StatusRange(200, 200)];

    public required Uri Url { get; init; }
    public string Method { get; init; } = "GET";
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public string? Body { get; init; }

    /// <summary>The statuses that count as an answer. Null means 200, except when a condition names
    /// <c>status</c>: then the conditions alone judge it.</summary>
    public IReadOnlyList<StatusRange>? ExpectStatus { get; init; }

    /// <summary>A regular expression the body must match.</summary>
    public string? ExpectBody { get; init; }

    /// <summary>A JSONPath into the body whose value is read (<see cref="Value"/> says how).</summary>
    public string? Json { get; init; }

    public ValueKind Value { get; init; } = ValueKind.Number;
    public bool TlsVerify { get; init; } = true;

    /// <summary>PEM file of the certificates to trust instead of the system's.</summary>
    public string? CaFile { get; init; }

    [JsonIgnore]
    public override string Kind => "http";

    [JsonIgnore]
    public override IReadOnlyList<string> Quantities =>
    [
        Quantity.Status, Quantity.Latency,
        .. Json is null ? Array.Empty<string>() : Value == ValueKind.Timestamp ? [Quantity.Value, Quantity.Age] : [Quantity.Value],
        .. Url.Scheme == Uri.UriSchemeHttps ? [Quantity.DaysLeft] : Array.Empty<string>(),
    ];

    public bool Equals(HttpProbeDefinition? other) =>
        other is not null && base.Equals(other)
        && Url == other.Url && Method == other.Method && Body == other.Body && ExpectBody == other.ExpectBody
        && Json == other.Json && Value == other.Value && TlsVerify == other.TlsVerify && CaFile == other.CaFile
        && Headers.Count == other.Headers.Count && Headers.All(h => other.Headers.TryGetValue(h.Key, out var v) && v == h.Value)
        && (ExpectStatus is null ? other.ExpectStatus is null : other.ExpectStatus is not null && ExpectStatus.SequenceEqual(other.ExpectStatus));

    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Url, Method, Json);

    // Header values and bodies may carry credentials; a logged definition must not show them.
    public override string ToString() => $"http {Method} {Url}";
}
