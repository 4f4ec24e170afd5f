using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Vigil.Domain.Time;

namespace Vigil.Domain.Probes;

/// <summary>
/// Parses <c>QUANTITY OPERATOR LITERAL</c>: a quantity of <see cref="Quantity.All"/>, one of
/// <c>&gt; &gt;= &lt; &lt;= == !=</c>, and a literal in the quantity's unit — a duration (<c>10m</c>,
/// <c>250ms</c>, or seconds such as <c>0.5</c>) for age, skew and latency; a number with an optional size
/// suffix (<c>512MiB</c>, <c>2GB</c>) for bytes and used_bytes; a number with an optional <c>%</c> for used_pct;
/// a plain number for the rest. Errors carry the offset of the part that is wrong.
/// </summary>
public static class ConditionParser
{
    private static readonly string[] Operators = [">=", "<=", "==", "!=", ">", "<"];

    private static readonly (string Suffix, double Factor)[] Sizes =
    [
        ("KiB", 1024d), ("MiB", 1024d * 1024), ("GiB", 1024d * 1024 * 1024), ("TiB", 1024d * 1024 * 1024 * 1024),
        ("kB", 1e3), ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1),
    ];

    public static string Expected => "write QUANTITY OPERATOR VALUE such as \"age > 10m\", \"used_pct >= 95\" or \"status != 200\"";

    public static bool TryParse(string? text, [NotNullWhen(true)] out Condition? condition, [NotNullWhen(false)] out ConditionError? error)
    {
        condition = null;
        text ??= "";
        var i = SkipSpace(text, 0);
        var nameStart = i;
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
        {
            i++;
        }

        var name = text[nameStart..i];
        if (name.Length == 0)
        {
            error = new ConditionError(nameStart, $"{Show(text)} is not a condition; {Expected}");
            return false;
        }

        if (!Quantity.IsKnown(name))
        {
            error = new ConditionError(nameStart, $"unknown quantity '{name}'; conditions compare one of {string.Join(", ", Quantity.All)}");
            return false;
        }

        i = SkipSpace(text, i);
        var opStart = i;
        while (i < text.Length && "<>=!".Contains(text[i], StringComparison.Ordinal))
        {
            i++;
        }

        var symbol = text[opStart..i];
        var op = Array.IndexOf(Operators, symbol);
        if (op < 0)
        {
            error = new ConditionError(opStart, symbol.Length == 0
                ? $"expected an operator after '{name}' (one of > >= < <= == !=)"
                : $"unknown operator '{symbol}'; use one of > >= < <= == !=");
            return false;
        }

        i = SkipSpace(text, i);
        var literalStart = i;
        while (i < text.Length && !char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        var literal = text[literalStart..i];
        var rest = SkipSpace(text, i);
        if (literal.Length == 0)
        {
            error = new ConditionError(literalStart, $"expected a value after '{symbol}', such as {Example(name)}");
            return false;
        }

        if (rest < text.Length)
        {
            error = new ConditionError(rest, $"unexpected '{text[rest..].TrimEnd()}' after the value '{literal}'; a condition compares one quantity with one value");
            return false;
        }

        if (!TryLiteral(name, literal, out var threshold, out var literalError))
        {
            error = new ConditionError(literalStart, literalError);
            return false;
        }

        condition = new Condition(name, OperatorOf(op), threshold, literal);
        error = null;
        return true;
    }

    private static ComparisonOperator OperatorOf(int index) => index switch
    {
        0 => ComparisonOperator.GreaterOrEqual,
        1 => ComparisonOperator.LessOrEqual,
        2 => ComparisonOperator.Equal,
        3 => ComparisonOperator.NotEqual,
        4 => ComparisonOperator.Greater,
        _ => ComparisonOperator.Less,
    };

    private static bool TryLiteral(string quantity, string literal, out double value, [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (Quantity.UnitOf(quantity))
        {
            case QuantityUnit.Seconds:
                if (Durations.TryParse(literal, out var duration, out _))
                {
                    value = duration.TotalSeconds;
                    return true;
                }

                // Fractions of a second (skew > 0.5) read more naturally than 500ms for clocks.
                if (double.TryParse(literal, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value) && double.IsFinite(value))
                {
                    return true;
                }

                error = $"'{literal}' is not a duration; {quantity} is compared with a duration such as {Example(quantity)} (units d, h, m, s, ms) or seconds";
                return false;
            case QuantityUnit.Bytes:
                foreach (var (suffix, factor) in Sizes)
                {
                    if (literal.EndsWith(suffix, StringComparison.Ordinal) && Number(literal[..^suffix.Length], out var n))
                    {
                        value = n * factor;
                        return true;
                    }
                }

                if (Number(literal, out value))
                {
                    return true;
                }

                error = $"'{literal}' is not a size; {quantity} is compared with bytes, optionally with a unit: B, kB, MB, GB, TB, KiB, MiB, GiB, TiB (such as {Example(quantity)})";
                return false;
            case QuantityUnit.Percent:
                if (Number(literal.EndsWith('%') ? literal[..^1] : literal, out value))
                {
                    return true;
                }

                error = $"'{literal}' is not a percentage; {quantity} is compared with a number such as {Example(quantity)}";
                return false;
            default:
                if (Number(literal, out value))
                {
                    return true;
                }

                error = Durations.TryParse(literal, out _, out _)
                    ? $"'{literal}' is a duration, but {quantity} is a plain number; compare it with a number such as {Example(quantity)}"
                    : $"'{literal}' is not a number; {quantity} is compared with a plain number such as {Example(quantity)}";
                return false;
        }
    }

    private static bool Number(string text, out double value) =>
        double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value)
        && double.IsFinite(value);

    private static string Example(string quantity) => quantity switch
    {
        Quantity.Age => "10m",
        Quantity.Skew => "2s",
        Quantity.Latency => "500ms",
        Quantity.UsedPct => "95",
        Quantity.UsedBytes or Quantity.Bytes => "512MiB",
        Quantity.Status => "200",
        Quantity.DaysLeft => "14",
        _ => "0",
    };

    private static int SkipSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    private static string Show(string text) => text.Trim().Length == 0 ? "an empty text" : $"'{text.Trim()}'";
}
