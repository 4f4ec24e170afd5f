using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Vigil.Domain.Time;

/// <summary>Durations as operators write them: <c>90s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d</c>, <c>250ms</c> or integer seconds.</summary>
public static partial class Durations
{
    [GeneratedRegex(@"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool TryParse(string? text, out TimeSpan value, out string? error)
    {
        value = default;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty; write a duration such as 90s, 5m, 1h30m, 2d or integer seconds";
            return false;
        }

        text = text.Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            if (seconds > (long)TimeSpan.MaxValue.TotalSeconds / 2)
            {
                error = $"'{text}' is too long";
                return false;
            }

            value = TimeSpan.FromSeconds(seconds);
            return true;
        }

        var match = Pattern().Match(text);
        if (!match.Success || text.Length == 0 || !match.Groups.Values.Skip(1).Any(g => g.Success))
        {
            error = $"'{text}' is not a duration; write one such as 90s, 5m, 1h30m, 2d or integer seconds";
            return false;
        }

        try
        {
            checked
            {
                long ms = 0;
                ms += Part(match, 1) * 86_400_000L;
                ms += Part(match, 2) * 3_600_000L;
                ms += Part(match, 3) * 60_000L;
                ms += Part(match, 4) * 1_000L;
                ms += Part(match, 5);
                if (ms > (long)TimeSpan.MaxValue.TotalMilliseconds / 2)
                {
                    // Fits a long but not a TimeSpan: FromMilliseconds would throw.
                    throw new OverflowException();
                }

                value = TimeSpan.FromMilliseconds(ms);
                return true;
            }
        }
        catch (OverflowException)
        {
            error = $"'{text}' is too long";
            return false;
        }
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    private static long Part(Match match, int group) =>
        match.Groups[group].Success ? long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;

    /// <summary>Formats the way an operator would write it: <c>1h30m</c>, <c>45s</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            sb.Append('-');
            value = value.Negate();
        }

        if (value.Days > 0) sb.Append(value.Days).Append('d');
        if (value.Hours > 0) sb.Append(value.Hours).Append('h');
        if (value.Minutes > 0) sb.Append(value.Minutes).Append('m');
        if (value.Seconds > 0) sb.Append(value.Seconds).Append('s');
        if (value.Milliseconds > 0) sb.Append(value.Milliseconds).Append("ms");
        return sb.Length == 0 || sb.ToString() == "-" ? "0s" : sb.ToString();
    }
}
