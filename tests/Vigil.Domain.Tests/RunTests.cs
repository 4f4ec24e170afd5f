using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;

namespace Vigil.Domain.Tests;

public class RunTests
{
    private static readonly TimeSpan Period = TimeSpan.FromHours(1);
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private static TestKit Kit(TimeSpan? maxRuntime = null)
    {
        var kit = new TestKit().Add(TestKit.Every("job", Period, Grace) with { MaxRuntime = maxRuntime });
        kit.Take();
        return kit;
    }

    [Fact]
    public void Start_WithoutEnd_GoesDownAtStartPlusDefaultMaxRuntimeWhichIsGrace()
    {
        var kit = Kit();
        var start = kit.Now;

        kit.Ping("job", PingKind.Start);
        Assert.True(kit.State("job").Started);
        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        kit.Take();

        kit.Advance(Grace - Tick);
        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        kit.Advance(Tick);

        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        var changes = kit.Take();
        Assert.Equal(["job:down:firing"], TestKit.Describe(changes.Notifications));
        var run = Assert.Single(changes.Runs.Values);
        Assert.Equal(RunOutcomes.MaxRuntimeExceeded, run.Outcome);
        Assert.Equal(start, run.StartedAt);
        Assert.Equal(start + Grace, run.EndedAt);
        Assert.False(kit.State("job").Started);
    }

    [Fact]
    public void Start_WithExplicitMaxRuntime_GoesDownAtStartPlusMaxRuntime()
    {
        var kit = Kit(TimeSpan.FromMinutes(20));
        kit.Ping("job", PingKind.Start);

        kit.Advance(TimeSpan.FromMinutes(20) - Tick);
        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        kit.Advance(Tick);

        Assert.Equal(CheckStatus.Down, kit.Status("job"));
    }

    [Fact]
    public void Start_FinishedInTime_DoesNotGoDown()
    {
        var kit = Kit(TimeSpan.FromMinutes(20));
        kit.Ping("job", PingKind.Start);
        kit.Advance(TimeSpan.FromMinutes(19));

        kit.Ping("job");
        kit.Advance(TimeSpan.FromMinutes(30));

        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        Assert.False(kit.State("job").Started);
        var changes = kit.Take();
        Assert.Empty(changes.Notifications);
        var run = Assert.Single(changes.Runs.Values, r => r.Outcome is not null);
        Assert.Equal(RunOutcomes.Success, run.Outcome);
        Assert.Equal(19 * 60, run.DurationSeconds);
    }

    [Fact]
    public void OverlappingRunsWithRids_EachHaveTheirOwnDeadline()
    {
        var kit = Kit(TimeSpan.FromMinutes(10));
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        var c = Guid.NewGuid();
        kit.Ping("job", PingKind.Start, rid: a);
        kit.Advance(TimeSpan.FromMinutes(3));
        kit.Ping("job", PingKind.Start, rid: b);
        kit.Advance(TimeSpan.FromMinutes(3));
        kit.Ping("job", PingKind.Start, rid: c);
        Assert.Equal(3, kit.State("job").OpenRuns.Count);

        // a and c finish in time; b does not.
        kit.Advance(TimeSpan.FromMinutes(3));
        kit.Ping("job", rid: a);
        kit.Ping("job", rid: c);
        Assert.Equal([b], kit.State("job").OpenRuns.Select(r => r.Rid));
        kit.Take();

        kit.Advance(TimeSpan.FromMinutes(4) - Tick); // b started at 3m, its deadline is 13m
        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        kit.Advance(Tick);

        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        var changes = kit.Take();
        Assert.Equal(["job:down:firing"], TestKit.Describe(changes.Notifications));
        Assert.Equal(RunOutcomes.MaxRuntimeExceeded, changes.Runs[("job", b)].Outcome);
    }

    [Fact]
    public void OverlappingRunsWithRids_OneOverdue_DoesNotEndTheOthers()
    {
        var kit = Kit(TimeSpan.FromMinutes(10));
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();
        kit.Ping("job", PingKind.Start, rid: a);
        kit.Advance(TimeSpan.FromMinutes(5));
        kit.Ping("job", PingKind.Start, rid: b);

        kit.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        Assert.Equal([b], kit.State("job").OpenRuns.Select(r => r.Rid));
        Assert.Equal(kit.Now + TimeSpan.FromMinutes(5), kit.Evaluator.NextDeadlineOf("job"));
    }

    [Fact]
    public void SuccessWithoutRid_EndsTheMostRecentOpenRunWithoutRid()
    {
        var kit = Kit(TimeSpan.FromMinutes(30));
        var withRid = Guid.NewGuid();
        kit.Ping("job", PingKind.Start);
        var implicitRid = kit.State("job").OpenRuns.Single().Rid;
        kit.Advance(TimeSpan.FromMinutes(1));
        kit.Ping("job", PingKind.Start, rid: withRid);
        kit.Take();

        kit.Advance(TimeSpan.FromMinutes(1));
        kit.Ping("job");

        Assert.Equal([withRid], kit.State("job").OpenRuns.Select(r => r.Rid));
        var ended = Assert.Single(kit.Take().Runs.Values);
        Assert.Equal(implicitRid, ended.Rid);
        Assert.Equal(RunOutcomes.Success, ended.Outcome);
    }

    /// <summary>Design choice (documented in StartRun): a new start without a rid supersedes an older one, which
    /// could otherwise never be ended by a ping and would raise a false max_runtime alarm.</summary>
    [Fact]
    public void StartWithoutRid_Twice_SupersedesTheOlderRun()
    {
        var kit = Kit(TimeSpan.FromMinutes(10));
        kit.Ping("job", PingKind.Start);
        var first = kit.State("job").OpenRuns.Single().Rid;
        kit.Advance(TimeSpan.FromMinutes(8));
        kit.Ping("job", PingKind.Start);

        var changes = kit.Take();
        Assert.Equal(RunOutcomes.Superseded, changes.Runs[("job", first)].Outcome);
        Assert.Single(kit.State("job").OpenRuns);
        kit.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(CheckStatus.Up, kit.Status("job"));
    }

    [Fact]
    public void FailWithRid_EndsThatRunAsFailAndGoesDown()
    {
        var kit = Kit();
        var rid = Guid.NewGuid();
        kit.Ping("job", PingKind.Start, rid: rid);

        kit.Ping("job", PingKind.Fail, rid: rid, exitStatus: 3);

        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        var changes = kit.Take();
        Assert.Equal(RunOutcomes.Fail, changes.Runs[("job", rid)].Outcome);
        Assert.Equal(3, changes.Runs[("job", rid)].ExitCode);
        Assert.Equal(["job:down:firing"], TestKit.Describe(changes.Notifications));
    }

    [Fact]
    public void SuccessWithoutStart_RecordsAZeroLengthRun()
    {
        var kit = Kit();

        kit.Ping("job", body: "all good");

        var run = Assert.Single(kit.Take().Runs.Values);
        Assert.Equal(RunOutcomes.Success, run.Outcome);
        Assert.Equal("all good", run.Log);
        Assert.Null(run.StartedAt);
    }

    [Fact]
    public void Success_AfterMaxRuntimeDown_Recovers()
    {
        var kit = Kit();
        kit.Ping("job", PingKind.Start);
        kit.Advance(Grace);
        kit.Take();

        kit.Ping("job");

        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        Assert.Equal(["job:down:resolved"], kit.TakeNotifications());
    }

    [Fact]
    public void BareSuccessPing_IsAnEventNotARun_WhileFailuresAndPingsWithALogAreRuns()
    {
        var kit = Kit(TimeSpan.FromMinutes(10));
        kit.Take();

        kit.Ping("job");
        var bare = kit.Take();
        Assert.Empty(bare.Runs);
        Assert.Contains(bare.Events, e => e.Type == EventTypes.Success);

        kit.Ping("job", PingKind.Fail);
        Assert.Equal(RunOutcomes.Fail, Assert.Single(kit.Take().Runs.Values).Outcome);

        kit.Evaluator.Ping(new PingSignal { Name = "job", Kind = PingKind.Success, Body = "backup done" });
        Assert.Equal("backup done", Assert.Single(kit.Take().Runs.Values).Log);
    }
}
