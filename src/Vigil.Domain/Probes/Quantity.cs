namespace Vigil.Domain.Probes;

/// <summary>The quantities a probe measures and conditions name. Each has a unit, which decides which
/// literals a condition may compare it with (a duration for <c>age</c>, a byte size for <c>used_bytes</c>).</summary>
public static class Quantity
{
    public const string Age = "age";
    public const string Skew = "skew";
    public const string Value = "value";
    public const string Rows = "rows";
    public const string UsedPct = "used_pct";
    public const string UsedBytes = "used_bytes";
    public const string Latency = "latency";
    public const string Status = "status";
    public const string DaysLeft = "days_left";
    public const string Bytes = "bytes";
    public const string ExitStatus = "exit_status";

    /// <summary>Every quantity, in the order messages list them.</summary>
    public static readonly IReadOnlyList<string> All =
        [Age, Skew, Value, Rows, UsedPct, UsedBytes, Latency, Status, DaysLeft, Bytes, ExitStatus];

    public static bool IsKnown(string name) => All.Contains(name);

    public static QuantityUnit UnitOf(string name) => name switch
    {
        Age or Skew or Latency => QuantityUnit.Seconds,
        UsedBytes or Bytes => QuantityUnit.Bytes,
        UsedPct => QuantityUnit.Percent,
        _ => QuantityUnit.Number,
    };
}
