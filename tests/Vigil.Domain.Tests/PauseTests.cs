using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;

namespace Vigil.Domain.Tests;

public class PauseTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(5);

    private static TestKit Kit(bool manualResume = false, bool started = true, bool withData = true)
    {
        var kit = new TestKit().Add(TestKit.Every("job", Period) with
        {
            ManualResume = manualResume,
            MaxDataAge = withData ? TimeSpan.FromMinutes(10) : null,
        });
        kit.Ping("job", started ? PingKind.Start : PingKind.Success, dataTs: kit.Now);
        kit.Take();
        return kit;
    }

    [Fact]
    public void Paused_NoDeadlineActs()
    {
        var kit = Kit();

        Assert.True(kit.Evaluator.Pause("job"));
        Assert.Null(kit.Evaluator.NextDeadlineOf("job"));
        kit.Take();
        kit.Advance(TimeSpan.FromDays(2));

        Assert.Equal(CheckStatus.Paused, kit.Status("job"));
        Assert.Empty(kit.TakeNotifications());
    }

    [Fact]
    public void Paused_PingResumesIt()
    {
        var kit = Kit();
        kit.Evaluator.Pause("job");
        kit.Advance(TimeSpan.FromHours(1));

        kit.Ping("job");

        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        Assert.Equal(kit.Now + Period, kit.Evaluator.NextExpected("job"));
    }

    [Fact]
    public void Paused_WithManualResume_PingIsIgnored()
    {
        var kit = Kit(manualResume: true);
        kit.Evaluator.Pause("job");
        kit.Take();

        kit.Ping("job");

        Assert.Equal(CheckStatus.Paused, kit.Status("job"));
        Assert.Contains(kit.Take().Events, e => e.Type == EventTypes.Ignored);
        kit.Advance(TimeSpan.FromHours(1));
        Assert.Empty(kit.TakeNotifications());
    }

    [Fact]
    public void Paused_WithManualResume_ResumeWaitsForTheNextSignal()
    {
        var kit = Kit(manualResume: true, started: false, withData: false);
        kit.Evaluator.Pause("job");

        Assert.True(kit.Evaluator.Resume("job"));

        Assert.Equal(CheckStatus.New, kit.Status("job"));
        kit.Advance(TimeSpan.FromHours(1));
        Assert.Equal(CheckStatus.New, kit.Status("job"));
        kit.Ping("job");
        Assert.Equal(CheckStatus.Up, kit.Status("job"));
    }

    [Fact]
    public void Pause_DownCheck_ResolvesItsAlert()
    {
        var kit = Kit();
        kit.Advance(TimeSpan.FromHours(1));
        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        kit.Take();

        kit.Evaluator.Pause("job");

        var notifications = kit.TakeNotifications();
        Assert.Contains("job:down:resolved", notifications);
        Assert.Contains("job:data_stale:resolved", notifications);
        Assert.Equal(Level.Ok, kit.State("job").Level);
    }

    [Fact]
    public void PausedByDefinition_StartsPaused()
    {
        var kit = new TestKit().Add(TestKit.Every("job", Period) with { Paused = true });

        Assert.Equal(CheckStatus.Paused, kit.Status("job"));
        Assert.Null(kit.Evaluator.NextDeadline);
    }

    [Fact]
    public void Resume_RunThatWasOpenWhenPaused_IsSettledWithoutAlert()
    {
        var kit = Kit(withData: false);
        kit.Evaluator.Pause("job");
        kit.Advance(TimeSpan.FromHours(1));
        kit.Take();

        kit.Evaluator.Resume("job");
        kit.Advance(TimeSpan.FromMinutes(1));

        var changes = kit.Take();
        Assert.Empty(changes.Notifications);
        Assert.Equal(RunOutcomes.MaxRuntimeExceeded, Assert.Single(changes.Runs.Values).Outcome);
        Assert.Equal(CheckStatus.New, kit.Status("job"));
        Assert.False(kit.State("job").Started);
    }

    [Fact]
    public void Paused_LeaseThatExpiredMeanwhile_DoesNotBlockTheNextAcquire()
    {
        var kit = new TestKit().Add(TestKit.Every("worker", TimeSpan.FromHours(1)) with { ManualResume = true });
        var first = kit.Evaluator.AcquireLease("worker", TimeSpan.FromMinutes(5), "old", null, null);
        kit.Evaluator.Pause("worker");
        kit.Advance(TimeSpan.FromHours(1));
        kit.Take();

        var second = kit.Evaluator.AcquireLease("worker", TimeSpan.FromMinutes(5), "new", null, null);

        Assert.Equal(AcquireStatus.Granted, second.Status);
        Assert.Equal(first.Grant!.FencingToken + 1, second.Grant!.FencingToken);
        Assert.Equal(RunOutcomes.LeaseExpired, kit.Take().Runs[("worker", first.Grant.Rid)].Outcome);
        Assert.Equal(CheckStatus.Paused, kit.Status("worker"));
    }
}
