using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;

namespace Vigil.Domain.Tests;

public class LeaseTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);

    private static TestKit Kit(int concurrency = 1, TimeSpan? every = null)
    {
        var kit = new TestKit().Add(TestKit.Every("worker", every ?? TimeSpan.FromHours(1)) with { Concurrency = concurrency });
        kit.Take();
        return kit;
    }

    private static LeaseGrant Acquire(TestKit kit, string holder = "host-a:100")
    {
        var result = kit.Evaluator.AcquireLease("worker", Ttl, holder, null, null);
        Assert.Equal(AcquireStatus.Granted, result.Status);
        return result.Grant!;
    }

    private static LeaseCallStatus Release(TestKit kit, string token, LeaseOutcome outcome = LeaseOutcome.Success) =>
        kit.Evaluator.ReleaseLease("worker", token, outcome, null, null, null, false, null);

    [Fact]
    public void Acquire_GrantsTokenFencingTokenAndExpiry_AndStartsARun()
    {
        var kit = Kit();

        var grant = Acquire(kit);

        Assert.False(string.IsNullOrEmpty(grant.Token));
        Assert.Equal(1, grant.FencingToken);
        Assert.Equal(kit.Now + Ttl, grant.ExpiresAt);
        Assert.Equal(CheckStatus.Up, kit.Status("worker"));
        Assert.True(kit.State("worker").Started);
        Assert.Equal(kit.Now + Ttl, kit.Evaluator.NextDeadline);
    }

    [Fact]
    public void Acquire_WhileHeldWithConcurrency1_IsRefusedWithTheHolders()
    {
        var kit = Kit();
        var first = Acquire(kit, "host-a:1");

        var second = kit.Evaluator.AcquireLease("worker", Ttl, "host-b:2", null, null);

        Assert.Equal(AcquireStatus.Held, second.Status);
        var holder = Assert.Single(second.Holders!);
        Assert.Equal("host-a:1", holder.Holder);
        Assert.Equal(first.ExpiresAt, holder.ExpiresAt);
    }

    [Fact]
    public void Acquire_WithConcurrency2_GrantsTwoThenRefuses()
    {
        var kit = Kit(concurrency: 2);
        Acquire(kit, "a");
        Acquire(kit, "b");

        var third = kit.Evaluator.AcquireLease("worker", Ttl, "c", null, null);

        Assert.Equal(AcquireStatus.Held, third.Status);
        Assert.Equal(["a", "b"], third.Holders!.Select(h => h.Holder));
    }

    [Fact]
    public void FencingToken_GrowsByOnePerAcquire()
    {
        var kit = Kit();
        var tokens = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var grant = Acquire(kit);
            tokens.Add(grant.FencingToken);
            Assert.Equal(LeaseCallStatus.Ok, Release(kit, grant.Token));
            kit.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal([1L, 2L, 3L, 4L, 5L], tokens);
    }

    [Fact]
    public void FencingToken_GrowsAcrossAnExpiredLease()
    {
        var kit = Kit();
        Acquire(kit);
        kit.Advance(Ttl);

        Assert.Equal(2, Acquire(kit).FencingToken);
    }

    [Fact]
    public void Renew_MovesExpiryAndKeepsTheLease()
    {
        var kit = Kit();
        var grant = Acquire(kit);
        kit.Advance(TimeSpan.FromMinutes(4));

        var renewed = kit.Evaluator.RenewLease("worker", grant.Token, null, null);

        Assert.Equal(LeaseCallStatus.Ok, renewed.Status);
        Assert.Equal(kit.Now + Ttl, renewed.ExpiresAt);
        kit.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(CheckStatus.Up, kit.Status("worker"));
        Assert.Empty(kit.TakeNotifications());
    }

    [Fact]
    public void Release_WithSuccess_EndsRunAndFreesTheSlot()
    {
        var kit = Kit();
        var grant = Acquire(kit);
        kit.Advance(TimeSpan.FromMinutes(2));
        kit.Take();

        Assert.Equal(LeaseCallStatus.Ok, Release(kit, grant.Token));

        var changes = kit.Take();
        var run = Assert.Single(changes.Runs.Values);
        Assert.Equal(RunOutcomes.Success, run.Outcome);
        Assert.Equal(grant.Rid, run.Rid);
        Assert.Empty(kit.State("worker").Leases);
        Assert.False(kit.State("worker").Started);
        Assert.Equal(CheckStatus.Up, kit.Status("worker"));
        Acquire(kit, "someone-else");
    }

    [Fact]
    public void Release_WithFail_GoesDown()
    {
        var kit = Kit();
        var grant = Acquire(kit);

        Assert.Equal(LeaseCallStatus.Ok, Release(kit, grant.Token, LeaseOutcome.Fail));

        Assert.Equal(CheckStatus.Down, kit.Status("worker"));
        Assert.Equal(["worker:down:firing"], kit.TakeNotifications());
    }

    [Fact]
    public void Expiry_WhileHeld_EndsRunAsLeaseExpiredAndGoesDownWithOneNotification()
    {
        var kit = Kit();
        var grant = Acquire(kit);
        kit.Take();

        kit.Advance(Ttl - TimeSpan.FromTicks(1));
        Assert.Equal(CheckStatus.Up, kit.Status("worker"));
        kit.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(CheckStatus.Down, kit.Status("worker"));
        var changes = kit.Take();
        Assert.Equal(["worker:down:firing"], TestKit.Describe(changes.Notifications));
        Assert.Equal(RunOutcomes.LeaseExpired, changes.Runs[("worker", grant.Rid)].Outcome);
        Assert.Contains(changes.Events, e => e.Type == EventTypes.LeaseExpired);
        Assert.Empty(kit.State("worker").Leases);

        kit.Advance(TimeSpan.FromHours(5));
        Assert.Empty(kit.TakeNotifications());
    }

    [Fact]
    public void Renew_AfterExpiry_IsGone()
    {
        var kit = Kit();
        var grant = Acquire(kit);
        kit.Advance(Ttl);

        Assert.Equal(LeaseCallStatus.Gone, kit.Evaluator.RenewLease("worker", grant.Token, null, null).Status);
    }

    [Fact]
    public void Release_AfterExpiry_IsGoneAndRecordsALateReport()
    {
        var kit = Kit();
        var grant = Acquire(kit);
        kit.Advance(Ttl);
        kit.Take();

        Assert.Equal(LeaseCallStatus.Gone, Release(kit, grant.Token));

        var changes = kit.Take();
        Assert.Contains(changes.Events, e => e.Type == EventTypes.LateReport);
        Assert.Empty(changes.Notifications);
        Assert.Equal(CheckStatus.Down, kit.Status("worker"));
    }

    [Fact]
    public void LeaseCalls_OnUnknownCheck_AreNotFound()
    {
        var kit = Kit();

        Assert.Equal(AcquireStatus.NotFound, kit.Evaluator.AcquireLease("nope", Ttl, "h", null, null).Status);
        Assert.Equal(LeaseCallStatus.NotFound, kit.Evaluator.RenewLease("nope", "t", null, null).Status);
        Assert.Equal(LeaseCallStatus.NotFound, kit.Evaluator.ReleaseLease("nope", "t", LeaseOutcome.Success, null, null, null, false, null));
    }

    /// <summary>Promise: a fresh lease is proof of life regardless of any other signal.</summary>
    [Fact]
    public void LeaseRenewedOnTime_KeepsCheckUp_WhileItsScheduleSaysItIsOverdue()
    {
        var every = TimeSpan.FromMinutes(1);
        var kit = Kit(every: every);
        var ttl = TimeSpan.FromMinutes(10);
        var grant = kit.Evaluator.AcquireLease("worker", ttl, "long-job", null, null).Grant!;

        for (var i = 0; i < 20; i++)
        {
            // Nine minutes between renewals: the every: 1m schedule (grace 1m) is long overdue each time.
            for (var m = 0; m < 9; m++)
            {
                kit.Advance(TimeSpan.FromMinutes(1));
                Assert.Equal(CheckStatus.Up, kit.Status("worker"));
            }

            Assert.Equal(LeaseCallStatus.Ok, kit.Evaluator.RenewLease("worker", grant.Token, null, null).Status);
        }

        Assert.Empty(kit.TakeNotifications());
        Assert.Equal(LeaseCallStatus.Ok, Release(kit, grant.Token));
        Assert.Equal(CheckStatus.Up, kit.Status("worker"));
    }

    [Fact]
    public void LeaseRun_IsNotBoundedByDefaultMaxRuntime()
    {
        var kit = Kit();
        var grant = Acquire(kit);

        for (var i = 0; i < 30; i++)
        {
            kit.Advance(TimeSpan.FromMinutes(4));
            kit.Evaluator.RenewLease("worker", grant.Token, null, null);
        }

        Assert.Equal(CheckStatus.Up, kit.Status("worker"));
        Assert.Empty(kit.TakeNotifications());
    }

    [Fact]
    public void Acquire_AfterLeaseExpiryDown_Recovers()
    {
        var kit = Kit();
        Acquire(kit);
        kit.Advance(Ttl);
        kit.Take();

        Acquire(kit);

        Assert.Equal(CheckStatus.Up, kit.Status("worker"));
        Assert.Equal(["worker:down:resolved"], kit.TakeNotifications());
    }

    [Fact]
    public void OneLeaseRun_CountsOnceTowardsRecoverAfter()
    {
        var kit = new TestKit().Add(TestKit.Every("worker", TimeSpan.FromHours(1)) with { RecoverAfter = 2 });
        kit.Ping("worker", PingKind.Fail);
        Assert.Equal(CheckStatus.Down, kit.Status("worker"));

        var first = Acquire(kit);
        Assert.Equal(LeaseCallStatus.Ok, Release(kit, first.Token));
        Assert.Equal(CheckStatus.Down, kit.Status("worker"));

        var second = Acquire(kit);
        Assert.Equal(CheckStatus.Up, kit.Status("worker"));
        Assert.Equal(LeaseCallStatus.Ok, Release(kit, second.Token));
        Assert.Equal(CheckStatus.Up, kit.Status("worker"));
    }
}
