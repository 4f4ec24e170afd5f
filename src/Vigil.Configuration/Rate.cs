using System.Globalization;
using Vigil.Domain.Time;

namespace Vigil.Configuration;

/// <summary>A count per period, written <c>10/s</c>, <c>600/min</c>, <c>100/h</c>, <c>1000/d</c> or with any
/// duration as the period (<c>5/10s</c>).</summary>
public readonly record struct Rate(int Count, TimeSpan Per)
{
    /// <summary>Events per second.</summary>
    public double PerSecond => Count / Per.TotalSeconds;

    public static bool TryParse(string? text, out Rate rate)
    {
        rate = default;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (text is null || slash <= 0)
        {
            return false;
        }

        if (!int.TryParse(text.AsSpan(0, slash).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            return false;
        }

        var unit = text[(slash + 1)..].Trim();
        TimeSpan? per = unit switch
        {
            "s" or "sec" or "second" => TimeSpan.FromSeconds(1),
            "m" or "min" or "minute" => TimeSpan.FromMinutes(1),
            "h" or "hour" => TimeSpan.FromHours(1),
            "d" or "day" => TimeSpan.FromDays(1),
            _ => Durations.TryParse(unit, out var d, out _) && unit.Any(char.IsAsciiLetter) ? d : null,
        };
        if (per is not { } p || p <= TimeSpan.Zero)
        {
            return false;
        }

        rate = new Rate(count, p);
        return true;
    }

    public override string ToString() => Per == TimeSpan.FromSeconds(1) ? $"{Count}/s"
        : Per == TimeSpan.FromMinutes(1) ? $"{Count}/min"
        : Per == TimeSpan.FromHours(1) ? $"{Count}/h"
        : $"{Count}/{Durations.Format(Per)}";
}
