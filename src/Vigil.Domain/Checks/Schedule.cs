using Cronos;

namespace Vigil.Domain.Checks;

/// <summary>When a heartbeat check expects its next signal: a period counted from the last one, or a cron
/// expression in an IANA time zone. Cronos gives the DST rules the spec promises: a time skipped by a
/// spring-forward gap fires at the first valid instant after it, an autumn overlap fires once.</summary>
public abstract class Schedule
{
    public abstract DateTimeOffset NextAfter(DateTimeOffset instant);

    public abstract string Describe();

    public static Schedule Every(TimeSpan period) => new PeriodSchedule(period);

    public static bool TryCron(string expression, string? tz, out Schedule? schedule, out string? error)
    {
        schedule = null;
        if (!TryZone(tz ?? "UTC", out var zone, out error))
        {
            return false;
        }

        try
        {
            var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            var cron = CronExpression.Parse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            schedule = new CronSchedule(cron, expression, zone!);
            return true;
        }
        catch (CronFormatException ex)
        {
            error = $"'{expression}' is not a cron expression: {ex.Message}";
            return false;
        }
    }

    public static bool TryZone(string tz, out TimeZoneInfo? zone, out string? error)
    {
        error = null;
        zone = null;
        if (tz == "UTC")
        {
            zone = TimeZoneInfo.Utc;
            return true;
        }

        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(tz);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            error = $"'{tz}' is not a known IANA time zone (for example Europe/Berlin or UTC)";
            return false;
        }
    }

    private sealed class PeriodSchedule(TimeSpan period) : Schedule
    {
        public override DateTimeOffset NextAfter(DateTimeOffset instant) => Time.Instants.Add(instant, period);

        public override string Describe() => $"every {Time.Durations.Format(period)}";
    }

    private sealed class CronSchedule(CronExpression cron, string text, TimeZoneInfo zone) : Schedule
    {
        public override DateTimeOffset NextAfter(DateTimeOffset instant) =>
            cron.GetNextOccurrence(instant.UtcDateTime, zone) is { } next
                ? new DateTimeOffset(next, TimeSpan.Zero)
                : DateTimeOffset.MaxValue;

        public override string Describe() => $"cron '{text}' in {zone.Id}";
    }
}
