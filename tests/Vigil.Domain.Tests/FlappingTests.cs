using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;

namespace Vigil.Domain.Tests;

public class FlappingTests
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private static TestKit Kit()
    {
        var kit = new TestKit().Add(TestKit.Every("job", TimeSpan.FromHours(2)) with { Flapping = new FlappingSettings(3, Window) });
        kit.Take();
        return kit;
    }

    private static List<string> Flip(TestKit kit, params PingKind[] kinds)
    {
        var notifications = new List<string>();
        foreach (var kind in kinds)
        {
            kit.Advance(TimeSpan.FromMinutes(1));
            kit.Ping("job", kind);
            notifications.AddRange(kit.TakeNotifications());
        }

        return notifications;
    }

    [Fact]
    public void FastFlips_SendOneFlappingNotificationAndNoFurtherIndividualFlips()
    {
        var kit = Kit();
        Assert.Empty(Flip(kit, PingKind.Success));

        var beforeFlapping = Flip(kit, PingKind.Fail, PingKind.Success, PingKind.Fail);
        Assert.Equal(["job:down:firing", "job:down:resolved", "job:down:firing"], beforeFlapping);

        // The fourth change within the window (more than changes: 3) starts flapping; that flip is not sent.
        var during = Flip(kit, PingKind.Success, PingKind.Fail, PingKind.Success, PingKind.Fail, PingKind.Success, PingKind.Fail, PingKind.Success);

        Assert.Equal(["job:flapping:firing"], during);
        Assert.True(kit.State("job").Flapping);
        Assert.Equal(CheckStatus.Up, kit.Status("job"));
    }

    [Fact]
    public void FlappingEnds_AfterOneQuietWindow_AndOwesTheResolvedPeopleWereNotTold()
    {
        var kit = Kit();
        Flip(kit, PingKind.Success, PingKind.Fail, PingKind.Success, PingKind.Fail, PingKind.Success, PingKind.Fail, PingKind.Success);
        var lastChange = kit.Now;
        Assert.True(kit.State("job").Flapping);

        // Stable and healthy: the job keeps succeeding, no status change.
        while (kit.Now + TimeSpan.FromMinutes(5) < lastChange + Window)
        {
            kit.Advance(TimeSpan.FromMinutes(5));
            kit.Ping("job");
            Assert.Empty(kit.TakeNotifications());
        }

        kit.AdvanceTo(lastChange + Window - TimeSpan.FromTicks(1));
        Assert.True(kit.State("job").Flapping);
        Assert.Empty(kit.TakeNotifications());

        kit.AdvanceTo(lastChange + Window);

        Assert.False(kit.State("job").Flapping);
        // Last told: down firing. Truth: up. So the resolved is owed.
        Assert.Equal(["job:flapping:resolved", "job:down:resolved"], kit.TakeNotifications());
        Assert.Equal(Level.Ok, kit.State("job").Level);
    }

    [Fact]
    public void FlappingEnds_WhenTruthMatchesWhatPeopleWereTold_OnlyFlappingIsResolved()
    {
        var kit = Kit();
        Flip(kit, PingKind.Success, PingKind.Fail, PingKind.Success, PingKind.Fail, PingKind.Success, PingKind.Fail, PingKind.Success, PingKind.Fail);
        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        kit.Take();

        kit.Advance(Window);

        Assert.False(kit.State("job").Flapping);
        Assert.Equal(["job:flapping:resolved"], kit.TakeNotifications());
        Assert.Equal(CheckStatus.Down, kit.Status("job"));
    }

    [Fact]
    public void FlappingEnds_DownWhilePeopleLastHeardResolved_SendsTheDown()
    {
        var kit = Kit();
        // new → down is no flip; then up, down, up (told resolved), down starts flapping (held back).
        var told = Flip(kit, PingKind.Fail, PingKind.Success, PingKind.Fail, PingKind.Success, PingKind.Fail);
        Assert.Equal(["job:down:firing", "job:down:resolved", "job:down:firing", "job:down:resolved", "job:flapping:firing"], told);
        Assert.Equal(CheckStatus.Down, kit.Status("job"));

        kit.Advance(Window);

        Assert.Equal(["job:flapping:resolved", "job:down:firing"], kit.TakeNotifications());
    }

    [Fact]
    public void AfterFlappingEnds_IndividualFlipsAreNotifiedAgain()
    {
        var kit = Kit();
        Flip(kit, PingKind.Success, PingKind.Fail, PingKind.Success, PingKind.Fail, PingKind.Success);
        kit.Advance(Window);
        kit.Take();

        Assert.Equal(["job:down:firing"], Flip(kit, PingKind.Fail));
        Assert.Equal(["job:down:resolved"], Flip(kit, PingKind.Success));
    }

    [Fact]
    public void SlowFlips_SpreadBeyondTheWindow_NeverFlap()
    {
        var kit = Kit();
        kit.Ping("job");
        for (var i = 0; i < 20; i++)
        {
            kit.Advance(TimeSpan.FromMinutes(20));
            kit.Ping("job", i % 2 == 0 ? PingKind.Fail : PingKind.Success);
        }

        Assert.False(kit.State("job").Flapping);
        Assert.DoesNotContain(kit.TakeNotifications(), n => n.Contains("flapping", StringComparison.Ordinal));
    }
}
