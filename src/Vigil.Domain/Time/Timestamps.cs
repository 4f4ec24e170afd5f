using System.Globalization;

namespace Vigil.Domain.Time;

/// <summary>
/// Instants in and out. Input: RFC 3339 with an offset, or Unix epoch seconds. A timestamp without an
/// offset is refused, because guessing its zone is exactly the time-zone-naive bug Vigil exists to remove.
/// Output: always UTC with <c>Z</c>.
/// </summary>
public static class Timestamps
{
    private static readonly string[] OffsetFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    public static bool TryParse(string? text, out DateTimeOffset value, out string? error)
    {
        value = default;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "is empty; give RFC 3339 with an offset (2026-01-31T12:00:00Z) or Unix epoch seconds";
            return false;
        }

        text = text.Trim();
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var epoch))
        {
            return TryFromEpoch(epoch, out value, out error);
        }

        if (!HasOffset(text))
        {
            error = $"'{text}' has no UTC offset; add Z or +hh:mm (Vigil never guesses a time zone), or send Unix epoch seconds";
            return false;
        }

        if (DateTimeOffset.TryParseExact(text, OffsetFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            value = parsed.ToUniversalTime();
            return true;
        }

        error = $"'{text}' is not an RFC 3339 timestamp (2026-01-31T12:00:00Z) nor Unix epoch seconds";
        return false;
    }

    public static bool TryFromEpoch(double epochSeconds, out DateTimeOffset value, out string? error)
    {
        value = default;
        error = null;
        // Reject milliseconds mistaken for seconds and other absurd values before they become far-future data.
        if (double.IsNaN(epochSeconds) || epochSeconds < 0 || epochSeconds > 253_402_300_799)
        {
            error = $"'{epochSeconds.ToString(CultureInfo.InvariantCulture)}' is out of range for Unix epoch seconds";
            return false;
        }

        value = DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(epochSeconds * 1000));
        return true;
    }

    private static bool HasOffset(string text)
    {
        if (text.EndsWith('Z') || text.EndsWith('z'))
        {
            return true;
        }

        var timePart = text.IndexOfAny(['T', 't', ' ']);
        if (timePart < 0)
        {
            return false;
        }

        var tail = text[(timePart + 1)..];
        return tail.Contains('+') || tail.Contains('-');
    }

    /// <summary>RFC 3339, UTC, with <c>Z</c>; fractional seconds only when present.</summary>
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
