using Cronos;
using Vigil.Domain.Checks;

namespace Vigil.Domain.Notifications;

/// <summary>
/// A recurring silence from the config file: it starts at every occurrence of <see cref="Cron"/> in
/// <see cref="Tz"/> (so "22:00 on Fridays" stays 22:00 local time across DST) and lasts <see cref="Duration"/>.
/// </summary>
public sealed record MaintenanceWindow
{
    public required AlertMatcher Match { get; init; }
    public required string Cron { get; init; }
    public string Tz { get; init; } = "UTC";
    public required TimeSpan Duration { get; init; }
    public string? Reason { get; init; }

    private CronExpression Expression => CronExpression.Parse(Cron, Cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);

    private TimeZoneInfo Zone => Schedule.TryZone(Tz, out var zone, out _) ? zone! : TimeZoneInfo.Utc;

    /// <summary>The window containing <paramref name="instant"/>, if one does: its start and end.</summary>
    public (DateTimeOffset Start, DateTimeOffset End)? WindowAt(DateTimeOffset instant)
    {
        var from = Time.Instants.Subtract(instant, Duration).UtcDateTime;
        DateTime? latest = null;
        foreach (var start in Expression.GetOccurrences(from, instant.UtcDateTime, Zone, fromInclusive: false, toInclusive: true))
        {
            latest = start;
        }

        if (latest is not { } found)
        {
            return null;
        }

        var begin = new DateTimeOffset(found, TimeSpan.Zero);
        return (begin, Time.Instants.Add(begin, Duration));
    }

    /// <summary>When the next window that is open at or after <paramref name="instant"/> ends.</summary>
    public DateTimeOffset? NextEndAfter(DateTimeOffset instant)
    {
        if (WindowAt(instant) is { } current)
        {
            return current.End;
        }

        return Expression.GetNextOccurrence(instant.UtcDateTime, Zone) is { } next
            ? Time.Instants.Add(new DateTimeOffset(next, TimeSpan.Zero), Duration)
            : null;
    }
}
