using System.Globalization;

namespace Vigil.Domain.Probes;

/// <summary>Numbers as a person reads them in a reason: <c>6d 2h</c>, <c>2.301s</c>, <c>1.5 GiB</c>, <c>95.2</c>.</summary>
public static class Phrasing
{
    /// <summary>Two units at most, because a reason says how old, not to the millisecond how old.</summary>
    public static string Duration(double seconds)
    {
        if (double.IsNaN(seconds))
        {
            return "an unknown time";
        }

        var sign = seconds < 0 ? "-" : "";
        var s = Math.Abs(seconds);
        if (s < 1)
        {
            return $"{sign}{Math.Round(s * 1000).ToString("0", CultureInfo.InvariantCulture)}ms";
        }

        if (s < 60)
        {
            return $"{sign}{s.ToString(s < 10 ? "0.###" : "0.#", CultureInfo.InvariantCulture)}s";
        }

        var whole = (long)s;
        return whole switch
        {
            < 3600 => Two(sign, whole / 60, "m", whole % 60, "s"),
            < 86_400 => Two(sign, whole / 3600, "h", whole % 3600 / 60, "m"),
            _ => Two(sign, whole / 86_400, "d", whole % 86_400 / 3600, "h"),
        };
    }

    public static string Number(double value) =>
        Math.Abs(value) >= 1e15 ? value.ToString("G6", CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture);

    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var unit = 0;
        var v = bytes;
        while (Math.Abs(v) >= 1024 && unit < units.Length - 1)
        {
            v /= 1024;
            unit++;
        }

        return unit == 0 ? $"{Number(v)} B" : $"{v.ToString("0.#", CultureInfo.InvariantCulture)} {units[unit]}";
    }

    /// <summary>A quantity's value in its unit: a duration, a size, a percentage or a number.</summary>
    public static string Value(string quantity, double value) => Quantity.UnitOf(quantity) switch
    {
        QuantityUnit.Seconds => Duration(value),
        QuantityUnit.Bytes => Bytes(value),
        QuantityUnit.Percent => Number(Math.Round(value, 1, MidpointRounding.AwayFromZero)) + "%",
        _ => Number(value),
    };

    private static string Two(string sign, long a, string ua, long b, string ub) =>
        b == 0 ? $"{sign}{a}{ua}" : $"{sign}{a}{ua} {b}{ub}";
}
