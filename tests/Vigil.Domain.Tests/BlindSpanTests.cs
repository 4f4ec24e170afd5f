using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;

namespace Vigil.Domain.Tests;

/// <summary>Vigil never alerts for time it was not watching.</summary>
public class BlindSpanTests
{
    private static readonly TimeSpan StartupGrace = TimeSpan.FromMinutes(2);

    private static TestKit Watched()
    {
        var kit = new TestKit(startupGrace: StartupGrace);
        kit.Add(TestKit.Every("short", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)));
        kit.Add(TestKit.Every("long-grace", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)));
        kit.Add(TestKit.Every("keeps-pinging", TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30)));
        kit.Add(TestKit.Cron("cron", "*/5 * * * *", "Europe/Berlin", TimeSpan.FromMinutes(1)));
        kit.Add(TestKit.Every("runner", TimeSpan.FromHours(1)) with { MaxRuntime = TimeSpan.FromMinutes(3) });
        kit.Add(TestKit.Every("leased", TimeSpan.FromHours(1)));
        kit.Add(TestKit.Every("stale", TimeSpan.FromHours(1)) with { MaxDataAge = TimeSpan.FromMinutes(2) });
        foreach (var name in new[] { "short", "long-grace", "keeps-pinging", "cron" })
        {
            kit.Ping(name);
        }

        kit.Ping("runner", PingKind.Start);
        kit.Evaluator.AcquireLease("leased", TimeSpan.FromMinutes(1), "h", null, null);
        kit.Ping("stale", dataTs: kit.Now);
        kit.Take();
        return kit;
    }

    [Fact]
    public void RecoverBlindSpan_AfterEveryDeadlinePassed_SendsNoDownAndOneVigilRestarted()
    {
        var kit = Watched();
        var lastWatched = kit.Now;
        kit.Clock.Advance(TimeSpan.FromHours(3)); // Vigil was down: no Tick ran.

        var moved = kit.Evaluator.RecoverBlindSpan(lastWatched, "process restart");
        var notifications = kit.Take().Notifications;
        kit.Evaluator.Tick();
        notifications.AddRange(kit.Take().Notifications);

        Assert.Equal(7, moved);
        var restarted = Assert.Single(notifications);
        Assert.Equal(AlertKind.VigilRestarted, restarted.Alert);
        Assert.Equal(Notification.Firing, restarted.State);
        Assert.Equal(lastWatched, restarted.Since);
        foreach (var (definition, state) in kit.Evaluator.Checks)
        {
            Assert.NotEqual(CheckStatus.Down, state.Status);
            Assert.True(kit.Evaluator.NextDeadlineOf(definition.Name) >= kit.Now + StartupGrace, definition.Name);
        }
    }

    [Fact]
    public void RecoverBlindSpan_JobThatReallyDied_IsCaughtMaxOfGraceAndStartupGraceLater()
    {
        var kit = Watched();
        var lastWatched = kit.Now;
        kit.Clock.Advance(TimeSpan.FromHours(3));
        var recovered = kit.Now;
        kit.Evaluator.RecoverBlindSpan(lastWatched, "process restart");
        kit.Take();

        kit.AdvanceTo(recovered + StartupGrace - TimeSpan.FromTicks(1));
        Assert.Empty(kit.TakeNotifications());

        kit.AdvanceTo(recovered + StartupGrace);
        var atStartupGrace = kit.TakeNotifications();
        Assert.Contains("short:down:firing", atStartupGrace);
        Assert.Contains("cron:down:firing", atStartupGrace);
        Assert.Contains("runner:down:firing", atStartupGrace);
        Assert.Contains("leased:down:firing", atStartupGrace);
        Assert.Contains("stale:data_stale:firing", atStartupGrace);
        Assert.DoesNotContain("long-grace:down:firing", atStartupGrace);

        // long-grace has grace 5m > startup grace 2m: it gets its own grace.
        kit.AdvanceTo(recovered + TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.Equal(CheckStatus.Up, kit.Status("long-grace"));
        kit.AdvanceTo(recovered + TimeSpan.FromMinutes(5));
        Assert.Equal(CheckStatus.Down, kit.Status("long-grace"));
    }

    [Fact]
    public void RecoverBlindSpan_JobThatPingsWithinTheWindow_IsNeverDown()
    {
        var kit = Watched();
        var lastWatched = kit.Now;
        kit.Clock.Advance(TimeSpan.FromHours(3));
        kit.Evaluator.RecoverBlindSpan(lastWatched, "clock jump");
        kit.Take();

        for (var i = 0; i < 60; i++)
        {
            kit.Advance(TimeSpan.FromSeconds(50));
            kit.Ping("keeps-pinging");
            Assert.NotEqual(CheckStatus.Down, kit.Status("keeps-pinging"));
        }

        Assert.DoesNotContain(kit.TakeNotifications(), n => n.StartsWith("keeps-pinging", StringComparison.Ordinal));
    }

    [Fact]
    public void RecoverBlindSpan_LeaseRenewedAfterRestart_StaysHeld()
    {
        var kit = Watched();
        var lastWatched = kit.Now;
        var lease = kit.State("leased").Leases.Single();
        kit.Clock.Advance(TimeSpan.FromMinutes(30));
        kit.Evaluator.RecoverBlindSpan(lastWatched, "process restart");
        for (var i = 0; i < 10; i++)
        {
            kit.Advance(TimeSpan.FromSeconds(50));
            Assert.Equal(LeaseCallStatus.Ok, kit.Evaluator.RenewLease("leased", lease.Token, null, null).Status);
        }

        Assert.Equal(CheckStatus.Up, kit.Status("leased"));
        Assert.DoesNotContain(kit.TakeNotifications(), n => n.StartsWith("leased", StringComparison.Ordinal));
    }

    [Fact]
    public void RecoverBlindSpan_DeadlinesAfterNow_AreNotMoved()
    {
        var kit = new TestKit(startupGrace: StartupGrace).Add(TestKit.Every("daily", TimeSpan.FromDays(1)));
        kit.Ping("daily");
        var due = kit.Evaluator.NextDeadline;
        kit.Clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(0, kit.Evaluator.RecoverBlindSpan(kit.Now - TimeSpan.FromHours(1), "restart"));
        Assert.Equal(due, kit.Evaluator.NextDeadline);
        Assert.Equal(["vigil_restarted"], kit.Take().Notifications.Select(n => n.Alert));
    }
}
