using Vigil.Domain.Audit;
using Vigil.Domain.Checks;
using Vigil.Domain.Commands;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;

namespace Vigil.Domain.Tests;

/// <summary>Silences, maintenance windows and depends_on hold notifications back; what is still owed when the
/// mute ends is sent then, and nothing that was already said is said twice.</summary>
public class SilenceTests
{
    private static Silence For(TestKit kit, TimeSpan length, AlertMatcher? match = null, TimeSpan? startIn = null) => new()
    {
        Id = Guid.NewGuid(),
        Match = match ?? new AlertMatcher { Check = "job" },
        StartsAt = kit.Now + (startIn ?? TimeSpan.Zero),
        EndsAt = kit.Now + (startIn ?? TimeSpan.Zero) + length,
        Reason = "deploy",
        CreatedAt = kit.Now,
    };

    private static TestKit Kit()
    {
        var kit = new TestKit().Add(TestKit.Every("job", TimeSpan.FromMinutes(10), TimeSpan.Zero) with { Tags = ["trading"] });
        kit.Ping("job");
        kit.Take();
        return kit;
    }

    [Fact]
    public void Adding_and_expiring_a_silence_are_audited_in_the_same_changes_as_the_silence()
    {
        var kit = Kit();
        var silence = For(kit, TimeSpan.FromHours(2), new AlertMatcher { Tags = ["trading"], Severity = Severity.Critical }) with { CreatedBy = "ops" };

        Assert.Equal(SilenceResult.Added, kit.Evaluator.AddSilence(silence));
        var added = kit.Take();
        kit.Advance(TimeSpan.FromMinutes(30));
        kit.Take();
        var expired = kit.Evaluator.ExpireSilence(silence.Id, "oncall");
        var ended = kit.Take();

        Assert.NotNull(expired);
        Assert.Equal([silence.Id], added.Silences.Select(s => s.Id));
        var target = $"silence {silence.Id} (tags trading and severity critical)";
        Assert.Equal([$"{kit.Now.AddMinutes(-30):O} ops silence.add {target}: deploy"], added.Audit.Select(Line));
        Assert.Equal([silence.Id], ended.Silences.Select(s => s.Id));
        Assert.Equal([$"{kit.Now:O} oncall silence.expire {target}: deploy"], ended.Audit.Select(Line));
        Assert.Null(kit.Evaluator.ExpireSilence(silence.Id, "oncall"));
        Assert.Empty(kit.Take().Audit);
    }

    private static string Line(AuditEntry a) => $"{a.At:O} {a.Key} {a.Action} {a.Target}: {a.Reason}";

    [Fact]
    public void An_alert_that_fires_inside_a_silence_is_sent_when_the_silence_ends()
    {
        var kit = Kit();
        kit.Evaluator.AddSilence(For(kit, TimeSpan.FromHours(1)));

        kit.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        Assert.Empty(kit.TakeNotifications());
        Assert.StartsWith("silenced until", kit.State("job").Alerts[AlertKind.Down].HeldBack);

        kit.Advance(TimeSpan.FromMinutes(48));
        Assert.Empty(kit.TakeNotifications());
        kit.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(["job:down:firing"], kit.TakeNotifications());
        Assert.Null(kit.State("job").Alerts[AlertKind.Down].HeldBack);
    }

    [Fact]
    public void An_alert_sent_before_a_silence_and_firing_after_it_is_not_sent_again()
    {
        var kit = Kit();
        kit.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(["job:down:firing"], kit.TakeNotifications());

        kit.Evaluator.AddSilence(For(kit, TimeSpan.FromHours(1)));
        kit.Advance(TimeSpan.FromHours(2));

        Assert.Empty(kit.TakeNotifications());
    }

    [Fact]
    public void An_alert_that_fires_and_resolves_inside_a_silence_is_never_sent()
    {
        var kit = Kit();
        kit.Evaluator.AddSilence(For(kit, TimeSpan.FromHours(1)));
        kit.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        for (var i = 0; i < 14; i++)
        {
            kit.Ping("job");
            kit.Advance(TimeSpan.FromMinutes(5));
        }

        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        Assert.Empty(kit.TakeNotifications());
    }

    [Fact]
    public void Expiring_a_silence_early_sends_what_it_held_back_at_once()
    {
        var kit = Kit();
        var silence = For(kit, TimeSpan.FromHours(1));
        kit.Evaluator.AddSilence(silence);
        kit.Advance(TimeSpan.FromMinutes(11));
        kit.Take();

        var expired = kit.Evaluator.Execute(new ExpireSilenceCommand(silence.Id, "ops"));

        Assert.Equal(kit.Now, expired!.ExpiredAt);
        var changes = kit.Take();
        Assert.Equal(["job:down:firing"], TestKit.Describe(changes.Notifications));
        Assert.Equal(expired, Assert.Single(changes.Silences));
        Assert.Null(kit.Evaluator.Execute(new ExpireSilenceCommand(silence.Id, "ops")));
    }

    [Fact]
    public void A_silence_matches_by_tag_glob_and_severity_only()
    {
        var kit = new TestKit()
            .Add(TestKit.Every("harvest-btc", TimeSpan.FromMinutes(10), TimeSpan.Zero))
            .Add(TestKit.Every("harvest-eth", TimeSpan.FromMinutes(10), TimeSpan.Zero) with { Severity = Severity.Warning })
            .Add(TestKit.Every("router", TimeSpan.FromMinutes(10), TimeSpan.Zero));
        foreach (var name in new[] { "harvest-btc", "harvest-eth", "router" }) kit.Ping(name);
        kit.Evaluator.AddSilence(For(kit, TimeSpan.FromHours(1), new AlertMatcher { Check = "harvest-*", Severity = Severity.Critical }));

        kit.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal(["harvest-eth:down:firing", "router:down:firing"], kit.TakeNotifications().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_pending_silence_mutes_nothing_until_it_starts()
    {
        var kit = Kit();
        kit.Evaluator.AddSilence(For(kit, TimeSpan.FromHours(1), startIn: TimeSpan.FromMinutes(30)));

        kit.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal(["job:down:firing"], kit.TakeNotifications());
    }

    [Theory]
    [InlineData("Europe/Berlin", "2026-03-27T21:00:00Z", "2026-04-03T20:00:00Z")] // Fridays around the spring change: 22:00 CET, then CEST
    [InlineData("Europe/Berlin", "2026-10-23T20:00:00Z", "2026-10-30T21:00:00Z")] // and around the autumn change
    [InlineData("America/New_York", "2026-03-07T03:00:00Z", "2026-03-14T02:00:00Z")] // Friday 22:00 EST, then EDT
    [InlineData("America/New_York", "2026-10-31T02:00:00Z", "2026-11-07T03:00:00Z")] // Friday 22:00 EDT, then EST
    public void A_weekly_window_keeps_its_local_time_across_both_dst_changes(string tz, string firstStart, string secondStart)
    {
        var window = new MaintenanceWindow { Match = AlertMatcher.All, Cron = "0 22 * * 5", Tz = tz, Duration = TimeSpan.FromHours(2), Reason = "weekly" };
        foreach (var start in new[] { DateTimeOffset.Parse(firstStart), DateTimeOffset.Parse(secondStart) })
        {
            Assert.Null(window.WindowAt(start - TimeSpan.FromSeconds(1)));
            Assert.Equal((start, start + TimeSpan.FromHours(2)), window.WindowAt(start));
            Assert.Equal((start, start + TimeSpan.FromHours(2)), window.WindowAt(start + TimeSpan.FromMinutes(119)));
            Assert.Null(window.WindowAt(start + TimeSpan.FromHours(2)));
        }
    }

    [Theory]
    [InlineData("Europe/Berlin", "2026-03-29T00:30:00Z")] // 01:30 local on the spring-forward night; window 02:00–04:00 local (02:00 does not exist)
    [InlineData("America/New_York", "2026-03-08T06:30:00Z")] // 01:30 EST on the spring-forward night
    public void A_window_held_on_a_fake_clock_releases_what_fired_inside_it_when_it_closes_across_a_dst_gap(string tz, string startUtc)
    {
        var kit = new TestKit(DateTimeOffset.Parse(startUtc)).Add(TestKit.Every("job", TimeSpan.FromMinutes(10), TimeSpan.Zero));
        kit.Ping("job");
        kit.Evaluator.SetMaintenanceWindows([new MaintenanceWindow { Match = AlertMatcher.All, Cron = "0 2 * * *", Tz = tz, Duration = TimeSpan.FromHours(2) }]);
        kit.Take();

        // The nonexistent 02:00 starts the window at the first valid instant, 03:00 local (one real hour after 01:30 + 30m).
        var notified = new List<(DateTimeOffset At, string What)>();
        for (var i = 0; i < 6 * 60; i++)
        {
            kit.Advance(TimeSpan.FromMinutes(1));
            notified.AddRange(kit.TakeNotifications().Select(n => (kit.Now, n)));
            if (i < 30 && i % 5 == 0) kit.Ping("job");
        }

        var (at, what) = Assert.Single(notified);
        Assert.Equal("job:down:firing", what);
        var windowStart = DateTimeOffset.Parse(startUtc) + TimeSpan.FromMinutes(30);
        Assert.Equal(windowStart + TimeSpan.FromHours(2), at);
    }

    [Fact]
    public void A_check_whose_dependency_is_down_says_so_and_is_sent_when_the_dependency_recovers()
    {
        var kit = new TestKit()
            .Add(TestKit.Every("internet", TimeSpan.FromMinutes(1), TimeSpan.Zero))
            .Add(TestKit.Every("scan", TimeSpan.FromMinutes(3), TimeSpan.Zero) with { DependsOn = ["internet"] });
        kit.Ping("internet");
        kit.Ping("scan");
        kit.Take();

        kit.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(["internet:down:firing"], kit.TakeNotifications());
        kit.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(CheckStatus.Down, kit.Status("scan"));
        Assert.Empty(kit.TakeNotifications());
        Assert.Equal("muted: it depends on internet, which is down", kit.State("scan").Alerts[AlertKind.Down].HeldBack);

        kit.Ping("internet");

        Assert.Equal(["internet:down:resolved", "scan:down:firing"], kit.TakeNotifications().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_dependent_that_recovers_while_its_dependency_is_down_owes_nothing()
    {
        var kit = new TestKit()
            .Add(TestKit.Every("internet", TimeSpan.FromMinutes(1), TimeSpan.Zero))
            .Add(TestKit.Every("scan", TimeSpan.FromMinutes(3), TimeSpan.Zero) with { DependsOn = ["internet"] });
        kit.Ping("internet");
        kit.Ping("scan");
        kit.Advance(TimeSpan.FromMinutes(4));
        kit.Ping("scan");
        kit.Take();

        kit.Ping("internet");

        Assert.Equal(["internet:down:resolved"], kit.TakeNotifications());
    }

    [Fact]
    public void Silences_survive_a_reload_of_the_evaluator_and_ended_ones_are_dropped()
    {
        var kit = Kit();
        var live = For(kit, TimeSpan.FromHours(1));
        var ended = For(kit, TimeSpan.FromMinutes(1)) with { StartsAt = kit.Now - TimeSpan.FromHours(2), EndsAt = kit.Now - TimeSpan.FromHours(1) };

        var fresh = new Evaluator(kit.Clock);
        fresh.LoadSilence(live);
        fresh.LoadSilence(ended);

        Assert.Equal([live], fresh.Silences);
        Assert.Equal(live.EndsAt, fresh.NextDeadline);
    }

    [Fact]
    public void The_silence_limit_is_enforced()
    {
        var kit = Kit();
        for (var i = 0; i < Evaluator.MaxSilences; i++)
        {
            Assert.Equal(SilenceResult.Added, kit.Evaluator.AddSilence(For(kit, TimeSpan.FromHours(1))));
        }

        Assert.Equal(SilenceResult.LimitReached, kit.Evaluator.AddSilence(For(kit, TimeSpan.FromHours(1))));
    }
}
