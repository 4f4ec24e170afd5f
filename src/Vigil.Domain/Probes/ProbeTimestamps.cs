using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Vigil.Domain.Probes.Definitions;
using Vigil.Domain.Time;

namespace Vigil.Domain.Probes;

/// <summary>
/// Timestamps read by probes: Unix epoch seconds, epoch milliseconds (any number above 10^12, which as seconds
/// would be tens of thousands of years away), or RFC 3339 with an offset. A timestamp without an offset is
/// refused, as everywhere in Vigil (<see cref="Timestamps"/>).
/// </summary>
public static class ProbeTimestamps
{
    /// <summary>Numbers above this are epoch milliseconds. The default value is 10^12.</summary>
    public const double MillisecondsAbove = 1e12;

    public static bool TryParse(string? text, TimeUnit? unit, out DateTimeOffset value, [NotNullWhen(false)] out string? error)
    {
        var trimmed = text?.Trim() ?? "";
        if (double.TryParse(trimmed, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return TryFromNumber(number, unit, out value, out error);
        }

        if (Timestamps.TryParse(trimmed, out value, out error))
        {
            return true;
        }

        error ??= $"'{trimmed}' is not a timestamp";
        return false;
    }

    public static bool TryFromNumber(double number, TimeUnit? unit, out DateTimeOffset value, [NotNullWhen(false)] out string? error)
    {
        var milliseconds = unit == TimeUnit.Milliseconds || (unit is null && number > MillisecondsAbove);
        if (Timestamps.TryFromEpoch(milliseconds ? number / 1000 : number, out value, out error))
        {
            return true;
        }

        error = $"'{number.ToString("0.###", CultureInfo.InvariantCulture)}' is out of range for epoch {(milliseconds ? "milliseconds" : "seconds")}";
        return false;
    }
}
