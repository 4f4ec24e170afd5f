using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;

namespace Vigil.Domain.Tests;

public class PeriodCheckTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private static TestKit PingedOnce()
    {
        var kit = new TestKit().Add(TestKit.Every("job", Period, Grace));
        kit.Ping("job");
        kit.Take();
        return kit;
    }

    [Fact]
    public void NewCheck_BeforeAnySignal_IsNewWithoutDeadline()
    {
        var kit = new TestKit().Add(TestKit.Every("job", Period, Grace));

        Assert.Equal(CheckStatus.New, kit.Status("job"));
        Assert.Null(kit.Evaluator.NextDeadline);
        kit.Advance(TimeSpan.FromDays(3));
        Assert.Equal(CheckStatus.New, kit.Status("job"));
    }

    [Fact]
    public void Ping_Success_MakesCheckUpAndSchedulesLateAtAnchorPlusPeriod()
    {
        var kit = new TestKit().Add(TestKit.Every("job", Period, Grace));
        var at = kit.Now;

        kit.Ping("job");

        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        Assert.Equal(at, kit.State("job").LastSuccessAt);
        Assert.Equal(at + Period, kit.Evaluator.NextExpected("job"));
        Assert.Equal(at + Period, kit.Evaluator.NextDeadline);
    }

    [Fact]
    public void Tick_AtExpectedTime_GoesGraceWithoutNotification()
    {
        var kit = PingedOnce();

        kit.Advance(Period - Tick);
        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        kit.Advance(Tick);

        Assert.Equal(CheckStatus.Grace, kit.Status("job"));
        Assert.Empty(kit.TakeNotifications());
    }

    [Fact]
    public void Tick_WhenGraceRunsOut_GoesDownExactlyThenNotEarlier()
    {
        var kit = PingedOnce();
        var start = kit.Now;

        kit.AdvanceTo(start + Period + Grace - Tick);
        Assert.Equal(CheckStatus.Grace, kit.Status("job"));
        Assert.Empty(kit.TakeNotifications());

        kit.Advance(Tick);

        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        Assert.Equal(start + Period + Grace, kit.State("job").StatusSince);
        var notifications = kit.Take().Notifications;
        var down = Assert.Single(notifications);
        Assert.Equal(AlertKind.Down, down.Alert);
        Assert.Equal(Notification.Firing, down.State);
        Assert.Equal(start + Period + Grace, down.At);
        Assert.Equal(Level.Critical, kit.State("job").Level);
    }

    [Fact]
    public void Tick_LongAfterDown_SendsExactlyOneDownNotification()
    {
        var kit = PingedOnce();

        var all = new List<string>();
        for (var i = 0; i < 500; i++)
        {
            kit.Advance(TimeSpan.FromMinutes(1));
            all.AddRange(kit.TakeNotifications());
        }

        Assert.Equal(["job:down:firing"], all);
        Assert.Null(kit.Evaluator.NextDeadline);
    }

    [Fact]
    public void Tick_MissedWhileNoTickRan_GoesStraightToDownInOneTick()
    {
        var kit = PingedOnce();

        kit.Advance(TimeSpan.FromHours(5));

        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        Assert.Equal(["job:down:firing"], kit.TakeNotifications());
    }

    [Fact]
    public void Ping_AfterDown_GoesUpAndSendsResolved()
    {
        var kit = PingedOnce();
        kit.Advance(Period + Grace);
        kit.Take();

        kit.Ping("job");

        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        var resolved = Assert.Single(kit.Take().Notifications);
        Assert.Equal(AlertKind.Down, resolved.Alert);
        Assert.Equal(Notification.Resolved, resolved.State);
        Assert.Equal(Level.Ok, kit.State("job").Level);
    }

    [Fact]
    public void Ping_DuringGrace_GoesBackUpWithoutNotification()
    {
        var kit = PingedOnce();
        kit.Advance(Period + TimeSpan.FromSeconds(30));
        Assert.Equal(CheckStatus.Grace, kit.Status("job"));

        kit.Ping("job");

        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        Assert.Empty(kit.TakeNotifications());
    }

    [Fact]
    public void Ping_ExactlyOnTimeForThousandPeriods_NeverAlerts()
    {
        var kit = PingedOnce();

        for (var i = 0; i < 1000; i++)
        {
            kit.Clock.Advance(Period);
            kit.Ping("job");
            kit.Evaluator.Tick();
            Assert.Equal(CheckStatus.Up, kit.Status("job"));
        }

        Assert.Empty(kit.TakeNotifications());
    }

    /// <summary>The server ticks when the deadline passes, so a job that is always a little late goes up → grace
    /// → up every period. That is not flapping and must never be notified.</summary>
    [Theory]
    [InlineData(60)]
    [InlineData(300)]
    [InlineData(600)]
    public void Ping_SlightlyLateEveryPeriodForThousandPeriods_NeverAlertsNorFlaps(int periodSeconds)
    {
        var period = TimeSpan.FromSeconds(periodSeconds);
        var kit = new TestKit().Add(TestKit.Every("job", period, Grace));
        kit.Ping("job");

        for (var i = 0; i < 1000; i++)
        {
            kit.Advance(period);
            Assert.Equal(CheckStatus.Grace, kit.Status("job"));
            kit.Advance(TimeSpan.FromSeconds(20));
            kit.Ping("job");
            Assert.Equal(CheckStatus.Up, kit.Status("job"));
        }

        Assert.Empty(kit.TakeNotifications());
        Assert.False(kit.State("job").Flapping);
    }

    [Fact]
    public void Grace_Zero_GoesDownAtExpectedTime()
    {
        var kit = new TestKit().Add(TestKit.Every("job", Period, TimeSpan.Zero));
        kit.Ping("job");
        kit.Take();

        kit.Advance(Period - Tick);
        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        kit.Advance(Tick);

        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        Assert.Equal(["job:down:firing"], kit.TakeNotifications());
    }

    [Fact]
    public void Ping_UnknownCheck_IsNotFound()
    {
        var kit = new TestKit();

        Assert.Equal(PingOutcome.NotFound, kit.Ping("nobody"));
    }

    [Fact]
    public void Ping_UnknownCheckWithCreate_CreatesItUp()
    {
        var kit = new TestKit();

        var outcome = kit.Evaluator.Ping(new PingSignal
        {
            Name = "auto",
            Kind = PingKind.Success,
            CreateWith = TestKit.Every("placeholder", Period),
        });

        Assert.Equal(PingOutcome.Created, outcome);
        Assert.Equal(CheckStatus.Up, kit.Status("auto"));
    }

    [Fact]
    public void Delete_DownCheck_ResolvesItsAlert()
    {
        var kit = PingedOnce();
        kit.Advance(Period + Grace);
        kit.Take();

        Assert.Equal(DeleteStatus.Deleted, kit.Evaluator.Delete("job"));

        Assert.Equal(["job:down:resolved"], kit.TakeNotifications());
        Assert.Null(kit.Evaluator.NextDeadline);
    }

    [Fact]
    public void Upsert_OfTheSameSettingsInNewListInstances_ChangesNothing()
    {
        var definition = TestKit.Every("job", Period, Grace) with
        {
            Tags = ["a", "b"],
            Keywords = new KeywordFilters(["ok"], ["FAIL"], []),
        };
        var kit = new TestKit().Add(definition);
        kit.Take();

        var reloaded = definition with { Tags = ["a", "b"], Keywords = new KeywordFilters(["ok"], ["FAIL"], []) };
        Assert.Equal(UpsertStatus.Replaced, kit.Evaluator.Upsert(reloaded));
        Assert.True(kit.Take().IsEmpty);

        Assert.Equal(UpsertStatus.Replaced, kit.Evaluator.Upsert(reloaded with { Tags = ["a", "c"] }));
        Assert.Contains(kit.Take().Events, e => e.Type == EventTypes.Updated);
    }
}
