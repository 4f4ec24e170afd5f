using Vigil.Domain.Checks;

namespace Vigil.Domain.Tests;

/// <summary>
/// Cron checks walked through a whole year, minute by minute, in several zones. The fire instants are computed
/// here independently of Cronos, from local wall times and <see cref="TimeZoneInfo"/>: a wall time skipped by a
/// spring-forward gap fires at the first valid instant after it, a wall time that occurs twice in an autumn
/// overlap fires once (at its first occurrence). Interval expressions (<c>*/15</c>) fire at every real instant
/// whose wall clock matches, as Vixie cron and Cronos do, so they run through the repeated hour too.
/// </summary>
public class CronDstTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Lateness = TimeSpan.FromSeconds(20);

    /// <summary>A cron expression with the wall-clock rule that says when it fires.</summary>
    private sealed record Job(string Name, string Cron, int? Hour, int? Minute, int? MinuteStep, bool WeekdaysOnly = false);

    private static readonly Job DailyAt0230 = new("daily-0230", "30 2 * * *", 2, 30, null);
    private static readonly Job DailyAt0130 = new("daily-0130", "30 1 * * *", 1, 30, null);
    private static readonly Job DailyAt0300 = new("daily-0300", "0 3 * * *", 3, 0, null);
    private static readonly Job Weekdays0900 = new("weekdays-0900", "0 9 * * 1-5", 9, 0, null, WeekdaysOnly: true);
    private static readonly Job Every15 = new("every-15", "*/15 * * * *", null, null, 15);

    private static readonly Job[] Jobs = [DailyAt0230, DailyAt0130, DailyAt0300, Weekdays0900, Every15];

    /// <summary>The instant a wall time fires: skipped → first valid instant after; ambiguous → its first occurrence.</summary>
    internal static DateTimeOffset FireInstant(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            var valid = local;
            while (zone.IsInvalidTime(valid))
            {
                valid = valid.AddMinutes(1);
            }

            return new DateTimeOffset(valid, zone.GetUtcOffset(valid)).ToUniversalTime();
        }

        if (zone.IsAmbiguousTime(local))
        {
            // The first occurrence is the one with the larger offset (before the clock went back).
            var offset = zone.GetAmbiguousTimeOffsets(local).Max();
            return new DateTimeOffset(local, offset).ToUniversalTime();
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    private static SortedSet<DateTimeOffset> Fires(Job job, TimeZoneInfo zone, DateTimeOffset from, DateTimeOffset to)
    {
        var fires = new SortedSet<DateTimeOffset>();
        if (job.MinuteStep is { } step)
        {
            for (var t = from; t < to; t = t.AddMinutes(1))
            {
                if (TimeZoneInfo.ConvertTime(t, zone).Minute % step == 0)
                {
                    fires.Add(t);
                }
            }

            return fires;
        }

        var firstDay = TimeZoneInfo.ConvertTime(from, zone).Date.AddDays(-1);
        var lastDay = TimeZoneInfo.ConvertTime(to, zone).Date.AddDays(1);
        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            if (job.WeekdaysOnly && day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                continue;
            }

            var fire = FireInstant(day.AddHours(job.Hour!.Value).AddMinutes(job.Minute!.Value), zone);
            if (fire >= from && fire < to)
            {
                fires.Add(fire);
            }
        }

        return fires;
    }

    public static TheoryData<string, int> ZonesAndYears => new()
    {
        { "Europe/Berlin", 2026 },
        { "America/New_York", 2026 },
        { "Australia/Sydney", 2026 },
        { "Asia/Kolkata", 2026 },
        { "UTC", 2026 },
        { "Europe/Berlin", 2028 },
        { "America/New_York", 2028 },
        { "Australia/Sydney", 2028 },
    };

    [Theory]
    [MemberData(nameof(ZonesAndYears))]
    public void CronJobs_PingingAtEveryScheduledTimeForAYear_NeverGoDown(string tz, int year)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(tz);
        var from = new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var to = from.AddYears(1);
        var kit = new TestKit(from);

        // Each job twice: one pings at the scheduled instant, one a little late (within grace), as real jobs do.
        var fires = new Dictionary<string, SortedSet<DateTimeOffset>>();
        var byMinute = new Dictionary<DateTimeOffset, List<(string Name, TimeSpan Delay)>>();
        foreach (var job in Jobs)
        {
            var jobFires = Fires(job, zone, from, to);
            foreach (var (suffix, delay) in new[] { ("prompt", TimeSpan.Zero), ("late", Lateness) })
            {
                var name = $"{job.Name}-{suffix}";
                kit.Add(TestKit.Cron(name, job.Cron, tz, Grace));
                fires[name] = jobFires;
                foreach (var f in jobFires)
                {
                    if (!byMinute.TryGetValue(f, out var list))
                    {
                        byMinute[f] = list = [];
                    }

                    list.Add((name, delay));
                }
            }
        }

        var notifications = new List<string>();
        var pings = fires.Keys.ToDictionary(n => n, _ => 0);
        for (var minute = from; minute < to; minute = minute.AddMinutes(1))
        {
            kit.Clock.SetUtcNow(minute);
            if (byMinute.TryGetValue(minute, out var due))
            {
                // The prompt ones ping at the scheduled instant, before the loop notices the deadline.
                foreach (var (name, _) in due.Where(d => d.Delay == TimeSpan.Zero))
                {
                    Ping(name, minute);
                }

                kit.Evaluator.Tick();
                kit.Clock.SetUtcNow(minute + Lateness);
                kit.Evaluator.Tick();
                foreach (var (name, _) in due.Where(d => d.Delay != TimeSpan.Zero))
                {
                    Ping(name, minute);
                }
            }

            kit.Evaluator.Tick();
            notifications.AddRange(TestKit.Describe(kit.Take().Notifications));
        }

        Assert.Empty(notifications);
        foreach (var (name, count) in pings)
        {
            Assert.Equal(fires[name].Count, count);
            Assert.Equal(CheckStatus.Up, kit.Status(name));
        }

        // Sanity of the independent computation: the daily jobs fire once every day, DST or not.
        Assert.Equal(from.AddYears(1).Subtract(from).Days, fires["daily-0230-prompt"].Count);
        Assert.Equal(from.AddYears(1).Subtract(from).Days, fires["daily-0130-prompt"].Count);

        void Ping(string name, DateTimeOffset scheduled)
        {
            kit.Ping(name);
            pings[name]++;
            Assert.Equal(CheckStatus.Up, kit.Status(name));
            var next = fires[name].GetViewBetween(scheduled.AddTicks(1), DateTimeOffset.MaxValue).Min;
            if (next != default)
            {
                // Vigil expects the job exactly when the wall-clock rule says it runs next.
                Assert.True(next == kit.Evaluator.NextExpected(name),
                    $"{name} in {tz}: after the run at {scheduled:O} Vigil expects {kit.Evaluator.NextExpected(name):O}, the job runs at {next:O}");
            }
        }
    }

    public static TheoryData<string, string, int, int, int, string> MissedOccurrences => new()
    {
        // Berlin spring forward 2026-03-29 02:00 CET → 03:00 CEST: 02:30 does not exist, fires at 03:00 CEST.
        { "Europe/Berlin", "30 2 * * *", 2026, 3, 29, "2026-03-29T01:00:00Z" },
        // Berlin fall back 2026-10-25 03:00 CEST → 02:00 CET: 02:30 happens twice, fires at the first.
        { "Europe/Berlin", "30 2 * * *", 2026, 10, 25, "2026-10-25T00:30:00Z" },
        // New York fall back 2026-11-01 02:00 EDT → 01:00 EST: 01:30 happens twice, fires at the first (EDT).
        { "America/New_York", "30 1 * * *", 2026, 11, 1, "2026-11-01T05:30:00Z" },
        // New York spring forward 2026-03-08 02:00 EST → 03:00 EDT: 02:30 does not exist.
        { "America/New_York", "30 2 * * *", 2026, 3, 8, "2026-03-08T07:00:00Z" },
        // Sydney spring forward 2026-10-04 02:00 AEST → 03:00 AEDT.
        { "Australia/Sydney", "30 2 * * *", 2026, 10, 4, "2026-10-03T16:00:00Z" },
        // Sydney fall back 2026-04-05 03:00 AEDT → 02:00 AEST: 02:30 happens twice, fires at the first (AEDT).
        { "Australia/Sydney", "30 2 * * *", 2026, 4, 5, "2026-04-04T15:30:00Z" },
        { "Asia/Kolkata", "30 2 * * *", 2026, 6, 1, "2026-05-31T21:00:00Z" },
        { "UTC", "30 2 * * *", 2026, 6, 1, "2026-06-01T02:30:00Z" },
    };

    [Theory]
    [MemberData(nameof(MissedOccurrences))]
    public void CronJob_MissingOneOccurrence_GoesDownAtOccurrencePlusGrace(string tz, string cron, int year, int month, int day, string expected)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(tz);
        var parts = cron.Split(' ');
        var local = new DateTime(year, month, day, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), 0, DateTimeKind.Unspecified);
        var occurrence = FireInstant(local, zone);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), occurrence);

        // The job ran the day before, on time.
        var previous = FireInstant(local.AddDays(-1), zone);
        var kit = new TestKit(previous);
        kit.Add(TestKit.Cron("job", cron, tz, Grace));
        kit.Ping("job");
        Assert.Equal(occurrence, kit.Evaluator.NextExpected("job"));
        kit.Take();

        kit.AdvanceTo(occurrence - TimeSpan.FromTicks(1));
        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        kit.AdvanceTo(occurrence);
        Assert.Equal(CheckStatus.Grace, kit.Status("job"));
        kit.AdvanceTo(occurrence + Grace - TimeSpan.FromTicks(1));
        Assert.Equal(CheckStatus.Grace, kit.Status("job"));
        Assert.Empty(kit.TakeNotifications());

        kit.AdvanceTo(occurrence + Grace);

        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        Assert.Equal(["job:down:firing"], kit.TakeNotifications());
    }

    [Fact]
    public void CronJob_NewYork0130OnFallBackDay_IsNotExpectedAgainInTheRepeatedHour()
    {
        var kit = new TestKit(new DateTimeOffset(2026, 11, 1, 5, 30, 0, TimeSpan.Zero));
        kit.Add(TestKit.Cron("job", "30 1 * * *", "America/New_York", Grace));
        kit.Ping("job");

        // 01:30 EST (06:30Z) is the same wall time again; the next run is 01:30 EST on 2 November.
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 6, 30, 0, TimeSpan.Zero), kit.Evaluator.NextExpected("job"));
        kit.AdvanceTo(new DateTimeOffset(2026, 11, 2, 6, 30, 0, TimeSpan.Zero) - TimeSpan.FromTicks(1));
        Assert.Equal(CheckStatus.Up, kit.Status("job"));
    }
}
