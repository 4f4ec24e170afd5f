using System.Globalization;
using System.Text;

namespace Vigil.Receivers.Text;

/// <summary>Times and spans as a tired operator reads them on a phone: "2h 5m ago (2026-03-02 09:02 UTC)".</summary>
internal static class HumanTime
{
    /// <summary>At most two units, largest first: <c>45s</c>, <c>5m 30s</c>, <c>2h 5m</c>, <c>3d 4h</c>.</summary>
    public static string Span(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            span = TimeSpan.Zero;
        }

        (long Value, string Unit)[] units = [(span.Days, "d"), (span.Hours, "h"), (span.Minutes, "m"), (span.Seconds, "s")];
        var first = Array.FindIndex(units, u => u.Value > 0);
        if (first < 0)
        {
            return "0s";
        }

        var text = units[first].Value.ToString(CultureInfo.InvariantCulture) + units[first].Unit;
        // A zero second unit ends the span: "2h", not "2h 0m".
        return first + 1 < units.Length && units[first + 1].Value > 0
            ? text + " " + units[first + 1].Value.ToString(CultureInfo.InvariantCulture) + units[first + 1].Unit
            : text;
    }

    /// <summary><c>5m ago</c>, or <c>just now</c> under a second (and for times a skewed clock puts ahead).</summary>
    public static string Ago(DateTimeOffset at, DateTimeOffset now) =>
        now - at < TimeSpan.FromSeconds(1) ? "just now" : Span(now - at) + " ago";

    /// <summary><c>2026-03-02 09:02:05 UTC</c>.</summary>
    public static string Utc(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary><c>5m ago (2026-03-02 09:02:05 UTC)</c>.</summary>
    public static string AgoAndUtc(DateTimeOffset at, DateTimeOffset now) => $"{Ago(at, now)} ({Utc(at)})";

    /// <summary>From one instant to another, the second shortened when on the same day: <c>2026-03-02 09:02:05 → 11:07:00 UTC</c>.</summary>
    public static string Range(DateTimeOffset from, DateTimeOffset to)
    {
        var sb = new StringBuilder();
        sb.Append(from.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(" → ");
        sb.Append(to.UtcDateTime.Date == from.UtcDateTime.Date
            ? to.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)
            : to.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        return sb.Append(" UTC").ToString();
    }
}
