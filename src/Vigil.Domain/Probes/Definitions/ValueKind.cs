namespace Vigil.Domain.Probes.Definitions;

/// <summary>How a value read by a probe is understood (<c>value:</c>): a timestamp gives <c>age</c>, a
/// number gives <c>value</c>, <c>rows</c> (SQL only) counts the rows the query returned.</summary>
public enum ValueKind { Number, Timestamp, Rows }
