using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;

namespace Vigil.Domain.Tests;

/// <summary>repeat_interval on a fake clock: an alert that keeps firing is sent again every interval of its routes,
/// counted from the last time people were told, not while it is muted, never after it resolved, and the rhythm
/// survives a restart.</summary>
public class RepeatTests
{
    private static readonly TimeSpan Every4h = TimeSpan.FromHours(4);

    private static TestKit Kit(TimeSpan? repeat)
    {
        var kit = new TestKit();
        kit.Evaluator.UseRouter(new Router([new Route { Receivers = ["ops"], RepeatInterval = repeat }]));
        kit.Add(TestKit.Every("job", TimeSpan.FromMinutes(10), TimeSpan.Zero));
        kit.Ping("job");
        kit.Take();
        kit.Ping("job", PingKind.Fail);
        Assert.Equal(["job:down:firing"], kit.TakeNotifications());
        return kit;
    }

    [Fact]
    public void A_firing_alert_is_sent_again_every_interval_until_it_resolves()
    {
        var kit = Kit(Every4h);
        kit.Advance(Every4h - TimeSpan.FromMinutes(1));
        Assert.Empty(kit.TakeNotifications());

        kit.Advance(TimeSpan.FromMinutes(1));
        var changes = kit.Take();
        var repeat = Assert.Single(changes.Notifications);
        Assert.Equal(("job", "down", Notification.Firing), (repeat.Check, repeat.Alert, repeat.State));
        Assert.Contains("sent again every 4h", repeat.Reason, StringComparison.Ordinal);
        Assert.Contains(changes.Events, e => e.Type == EventTypes.AlertRepeated);
        Assert.Equal(kit.Now, kit.State("job").Alerts[AlertKind.Down].NotifiedAt);

        kit.Advance(Every4h);
        Assert.Equal(["job:down:firing"], kit.TakeNotifications());

        kit.Ping("job");
        Assert.Equal(["job:down:resolved"], kit.TakeNotifications());

        // Kept up by its pings past the next repeat's time: nothing more is sent.
        for (var i = 0; i < 60; i++)
        {
            kit.Advance(TimeSpan.FromMinutes(5));
            kit.Ping("job");
        }

        Assert.Empty(kit.TakeNotifications());
    }

    [Fact]
    public void Routes_without_a_repeat_interval_never_repeat()
    {
        var kit = Kit(null);
        kit.Advance(TimeSpan.FromDays(2));
        Assert.Empty(kit.TakeNotifications());
    }

    [Fact]
    public void A_repeat_that_falls_due_while_muted_is_skipped_and_the_next_counts_from_then()
    {
        var kit = Kit(Every4h);
        kit.Evaluator.AddSilence(new Silence
        {
            Id = Guid.NewGuid(),
            Match = new AlertMatcher { Check = "job" },
            StartsAt = kit.Now,
            EndsAt = kit.Now + TimeSpan.FromHours(5),
            Reason = "maintenance",
            CreatedAt = kit.Now,
        });
        kit.Take();

        kit.Advance(Every4h);
        Assert.Empty(kit.TakeNotifications());

        // The window ends at 5h: the alert was already sent before it, so nothing is owed then...
        kit.Advance(TimeSpan.FromHours(1));
        Assert.Empty(kit.TakeNotifications());

        // ...and the next repeat is 4h after the skipped one.
        kit.Advance(TimeSpan.FromHours(3) - TimeSpan.FromMinutes(1));
        Assert.Empty(kit.TakeNotifications());
        kit.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(["job:down:firing"], kit.TakeNotifications());
    }

    [Fact]
    public void After_a_restart_the_repeat_keeps_its_rhythm_from_the_last_time_people_were_told()
    {
        var kit = Kit(Every4h);
        kit.Advance(TimeSpan.FromHours(3));
        kit.Take();
        var stored = kit.Evaluator.Checks.Select(c => (c.Definition, c.State.Clone())).ToList();

        var restarted = new Evaluator(kit.Clock, TimeSpan.Zero);
        restarted.UseRouter(new Router([new Route { Receivers = ["ops"], RepeatInterval = Every4h }]));
        foreach (var (definition, state) in stored)
        {
            restarted.Load(definition, state);
        }

        kit.Clock.Advance(TimeSpan.FromMinutes(59));
        restarted.Tick();
        Assert.DoesNotContain(restarted.TakeChanges().Notifications, n => n.State == Notification.Firing);

        kit.Clock.Advance(TimeSpan.FromMinutes(1));
        restarted.Tick();
        Assert.Equal(["job:down:firing"], TestKit.Describe(restarted.TakeChanges().Notifications));
    }
}
