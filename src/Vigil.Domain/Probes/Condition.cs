using System.Text.Json.Serialization;

namespace Vigil.Domain.Probes;

/// <summary>One <c>warn_if</c> / <c>critical_if</c>: a measured quantity compared with a literal, e.g.
/// <c>age &gt; 10m</c>. <see cref="Threshold"/> is in the quantity's base unit (seconds, bytes, percent);
/// <see cref="Literal"/> keeps what the operator wrote, so reasons quote it back unchanged. Stored as its text.</summary>
[JsonConverter(typeof(ConditionJsonConverter))]
public sealed record Condition(string Quantity, ComparisonOperator Operator, double Threshold, string Literal)
{
    public bool Holds(double measured) => Operator switch
    {
        ComparisonOperator.Greater => measured > Threshold,
        ComparisonOperator.GreaterOrEqual => measured >= Threshold,
        ComparisonOperator.Less => measured < Threshold,
        ComparisonOperator.LessOrEqual => measured <= Threshold,
        ComparisonOperator.Equal => measured == Threshold,
        _ => measured != Threshold,
    };

    public static string Symbol(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Greater => ">",
        ComparisonOperator.GreaterOrEqual => ">=",
        ComparisonOperator.Less => "<",
        ComparisonOperator.LessOrEqual => "<=",
        ComparisonOperator.Equal => "==",
        _ => "!=",
    };

    public override string ToString() => $"{Quantity} {Symbol(Operator)} {Literal}";

    /// <summary>Parses <paramref name="text"/> or throws; for stored conditions, which were valid when written.</summary>
    public static Condition Parse(string text) =>
        ConditionParser.TryParse(text, out var condition, out var error) ? condition : throw new FormatException(error.Message);
}
