using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;

namespace Vigil.Domain.Tests;

public class HysteresisTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(10);

    private static TestKit Kit(int failAfter = 1, int recoverAfter = 1)
    {
        var kit = new TestKit().Add(TestKit.Every("job", Period) with { FailAfter = failAfter, RecoverAfter = recoverAfter });
        kit.Ping("job");
        kit.Take();
        return kit;
    }

    [Fact]
    public void FailAfter3_TwoFails_StaysUp()
    {
        var kit = Kit(failAfter: 3);

        kit.Ping("job", PingKind.Fail);
        kit.Ping("job", PingKind.Fail);

        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        Assert.Equal(2, kit.State("job").ConsecutiveFailures);
        Assert.Empty(kit.TakeNotifications());
    }

    [Fact]
    public void FailAfter3_ThirdFail_GoesDownWithOneNotification()
    {
        var kit = Kit(failAfter: 3);

        kit.Ping("job", PingKind.Fail);
        kit.Ping("job", PingKind.Fail);
        kit.Ping("job", PingKind.Fail);
        kit.Ping("job", PingKind.Fail);

        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        Assert.Equal(["job:down:firing"], kit.TakeNotifications());
    }

    [Fact]
    public void FailAfter3_SuccessInBetween_ResetsTheCount()
    {
        var kit = Kit(failAfter: 3);

        kit.Ping("job", PingKind.Fail);
        kit.Ping("job", PingKind.Fail);
        kit.Ping("job");
        kit.Ping("job", PingKind.Fail);
        kit.Ping("job", PingKind.Fail);

        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        Assert.Empty(kit.TakeNotifications());
        kit.Ping("job", PingKind.Fail);
        Assert.Equal(CheckStatus.Down, kit.Status("job"));
    }

    [Fact]
    public void FailAfter3_FailsInTime_StillCountAsSignalsForTheSchedule()
    {
        var kit = Kit(failAfter: 3);

        for (var i = 0; i < 2; i++)
        {
            kit.Advance(Period - TimeSpan.FromSeconds(1));
            kit.Ping("job", PingKind.Fail);
        }

        kit.Advance(Period - TimeSpan.FromSeconds(1));
        Assert.Equal(CheckStatus.Up, kit.Status("job"));
    }

    [Fact]
    public void RecoverAfter2_OneSuccessAfterFailDown_StaysDown()
    {
        var kit = Kit(recoverAfter: 2);
        kit.Ping("job", PingKind.Fail);
        kit.Take();

        kit.Ping("job");

        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        Assert.Empty(kit.TakeNotifications());
        kit.Ping("job");
        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        Assert.Equal(["job:down:resolved"], kit.TakeNotifications());
    }

    [Fact]
    public void RecoverAfter2_OneSuccessAfterMissedDeadline_StaysDown()
    {
        // Plenty of successes before the job stopped: they must not count towards recovery.
        var kit = Kit(recoverAfter: 2);
        for (var i = 0; i < 5; i++)
        {
            kit.Advance(Period);
            kit.Ping("job");
        }

        kit.Advance(TimeSpan.FromHours(1));
        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        kit.Take();

        kit.Ping("job");
        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        Assert.Empty(kit.TakeNotifications());

        kit.Ping("job");
        Assert.Equal(CheckStatus.Up, kit.Status("job"));
        Assert.Equal(["job:down:resolved"], kit.TakeNotifications());
    }

    [Fact]
    public void RecoverAfter2_WhileDown_DoesNotGoLateAgain()
    {
        var kit = Kit(recoverAfter: 2);
        kit.Ping("job", PingKind.Fail);
        kit.Ping("job");
        kit.Take();

        kit.Advance(TimeSpan.FromHours(3));

        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        Assert.Empty(kit.TakeNotifications());
    }

    [Fact]
    public void RecoverAfter2_FailBetweenSuccesses_ResetsRecovery()
    {
        var kit = Kit(recoverAfter: 2);
        kit.Ping("job", PingKind.Fail);

        kit.Ping("job");
        kit.Ping("job", PingKind.Fail);
        kit.Ping("job");

        Assert.Equal(CheckStatus.Down, kit.Status("job"));
    }
}
