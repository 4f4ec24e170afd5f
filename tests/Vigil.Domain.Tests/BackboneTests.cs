using System.Reflection;
using Microsoft.Extensions.Time.Testing;
using Vigil.Domain.Checks;
using Vigil.Domain.Commands;
using Vigil.Domain.Evaluation;

namespace Vigil.Domain.Tests;

/// <summary>The backbone's promises: atomic commands, saturating time, one heap for every obligation,
/// time-decided lease races, fencing tokens that never go back, determinism from injected entropy.</summary>
public class BackboneTests
{
    /// <summary>Changes a check through the real rules, creates another, then fails: as a command with a bug would.</summary>
    private sealed record PoisonCommand(string Check) : EvaluatorCommand<int>
    {
        public override string Kind => "poison";

        protected internal override int ApplyTo(Evaluator evaluator)
        {
            evaluator.Ping(new PingSignal { Name = Check, Kind = PingKind.Fail });
            evaluator.Upsert(TestKit.Every("created-by-poison", TimeSpan.FromMinutes(1)));
            evaluator.AcquireLease("leased", TimeSpan.FromMinutes(5), "poison:1", null, null);
            evaluator.Delete("deleted-by-poison");
            throw new InvalidOperationException("a bug in the middle of a command");
        }
    }

    private sealed class CountingObligation(TimeSpan period) : TimedObligation
    {
        public List<DateTimeOffset> Fired { get; } = [];

        public override string Describe() => "counting";

        protected internal override DateTimeOffset? Fire(DateTimeOffset now)
        {
            Fired.Add(now);
            return now + period;
        }
    }

    private sealed class ThrowingObligation : TimedObligation
    {
        public override string Describe() => "throwing";

        protected internal override DateTimeOffset? Fire(DateTimeOffset now) => throw new InvalidOperationException("broken obligation");
    }

    [Fact]
    public void Execute_CommandThatThrowsMidway_LeavesNoTrace()
    {
        var kit = new TestKit();
        kit.Add(TestKit.Every("job", TimeSpan.FromMinutes(5))).Add(TestKit.Every("leased", TimeSpan.FromHours(1)))
            .Add(TestKit.Every("deleted-by-poison", TimeSpan.FromHours(1)));
        kit.Ping("job");
        kit.Evaluator.Execute(new PingCommand(new PingSignal { Name = "leased", Kind = PingKind.Success }));
        var before = kit.Evaluator.Checks.ToDictionary(c => c.Definition.Name, c => Snapshot(c.State));
        var deadline = kit.Evaluator.NextDeadline;
        var pending = kit.Take();

        Assert.Throws<InvalidOperationException>(() => kit.Evaluator.Execute(new PoisonCommand("job")));

        Assert.False(kit.Evaluator.HasChanges);
        Assert.Null(kit.Evaluator.Find("created-by-poison"));
        Assert.NotNull(kit.Evaluator.Find("deleted-by-poison"));
        Assert.Equal(before.Keys.Order(), kit.Evaluator.Checks.Select(c => c.Definition.Name).Order());
        foreach (var (definition, state) in kit.Evaluator.Checks)
        {
            Assert.Equal(before[definition.Name], Snapshot(state));
        }

        Assert.Equal(deadline, kit.Evaluator.NextDeadline);
        Assert.NotEmpty(pending.Checks);

        // The evaluator still works, and the lease the poison took is free.
        Assert.Equal(AcquireStatus.Granted, kit.Evaluator.Execute(new AcquireLeaseCommand("leased", TimeSpan.FromMinutes(1), "h:1", null, null)).Status);
        Assert.Equal(1, kit.State("leased").Leases[0].FencingToken);
    }

    [Fact]
    public void Execute_FailedCommandInABatch_KeepsTheChangesOfTheOthers()
    {
        var kit = new TestKit().Add(TestKit.Every("a", TimeSpan.FromMinutes(5))).Add(TestKit.Every("job", TimeSpan.FromMinutes(5)));
        kit.Take();

        kit.Evaluator.Execute(new PingCommand(new PingSignal { Name = "a", Kind = PingKind.Success }));
        Assert.ThrowsAny<Exception>(() => kit.Evaluator.Execute(new PoisonCommand("job")));
        kit.Evaluator.Execute(new PingCommand(new PingSignal { Name = "a", Kind = PingKind.Start }));

        var changes = kit.Take();
        Assert.Equal(["a"], changes.Checks.Keys);
        Assert.All(changes.Events, e => Assert.Equal("a", e.Check));
        Assert.Equal(CheckStatus.New, kit.Status("job"));
    }

    [Fact]
    public void Grace_FarBeyondTheCalendar_SaturatesInsteadOfOverflowing()
    {
        // The reproduced failure: every 1s with grace 3000000d overflowed DateTime inside the writer loop.
        var kit = new TestKit();
        var definition = TestKit.Every("forever", TimeSpan.FromSeconds(1)) with { Grace = TimeSpan.FromDays(3_000_000), MaxDataAge = TimeSpan.MaxValue };
        kit.Evaluator.Load(definition with { Uuid = Guid.NewGuid() }, new CheckState());
        kit.Ping("forever", dataTs: kit.Now);

        kit.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(CheckStatus.Grace, kit.Status("forever"));
        Assert.Null(kit.Evaluator.NextDeadlineOf("forever"));
        Assert.Null(kit.Evaluator.NextDeadline);
        Assert.Equal(0, kit.Advance(TimeSpan.FromDays(365)));
    }

    [Fact]
    public void Validate_DurationsAndCountsBeyondTheLimits_AreProblems()
    {
        var definition = TestKit.Every("job", TimeSpan.FromSeconds(1)) with
        {
            Grace = TimeSpan.FromDays(3_000_000),
            MaxRuntime = CheckLimits.MaxDuration + TimeSpan.FromSeconds(1),
            FailAfter = CheckLimits.MaxCount + 1,
            Concurrency = 1_000_000,
        };

        var fields = definition.Validate().Select(p => p.Field).ToList();

        Assert.Equal(["grace", "max_runtime", "fail_after", "concurrency"], fields);
    }

    [Fact]
    public void Heap_HoldsObligationsThatBelongToNoCheck_BesideTheChecks()
    {
        var kit = new TestKit().Add(TestKit.Every("job", TimeSpan.FromMinutes(10), TimeSpan.Zero));
        kit.Ping("job");
        var cooldown = new CountingObligation(TimeSpan.FromMinutes(4));
        kit.Evaluator.Schedule(cooldown, kit.Now + TimeSpan.FromMinutes(3));

        Assert.Equal(kit.Now + TimeSpan.FromMinutes(3), kit.Evaluator.NextDeadline);
        kit.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal([TestKit.Epoch + TimeSpan.FromMinutes(3)], cooldown.Fired);
        Assert.Equal(TestKit.Epoch + TimeSpan.FromMinutes(7), kit.Evaluator.NextDeadline);

        kit.Advance(TimeSpan.FromMinutes(7));
        Assert.Equal(2, cooldown.Fired.Count);
        Assert.Equal(CheckStatus.Down, kit.Status("job"));

        kit.Evaluator.Unschedule(cooldown);
        Assert.Equal(0, kit.Advance(TimeSpan.FromHours(1)));
        Assert.Equal(2, cooldown.Fired.Count);
    }

    [Fact]
    public void Tick_ObligationThatThrows_IsSetAsideAndTheOthersStillFire()
    {
        var kit = new TestKit().Add(TestKit.Every("job", TimeSpan.FromMinutes(1), TimeSpan.Zero));
        kit.Ping("job");
        kit.Evaluator.Schedule(new ThrowingObligation(), kit.Now + TimeSpan.FromSeconds(30));
        kit.Take();

        kit.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(CheckStatus.Down, kit.Status("job"));
        var changes = kit.Take();
        var fault = Assert.Single(changes.Faults);
        Assert.Equal("throwing", fault.Obligation);
        Assert.Contains("broken obligation", fault.Fault);
        Assert.Null(kit.Evaluator.NextDeadline);
    }

    [Fact]
    public void RecoverBlindSpan_TouchesOnlyTheObligationsThatFellDue()
    {
        var kit = new TestKit();
        for (var i = 0; i < 1000; i++)
        {
            kit.Add(TestKit.Every($"job-{i:D4}", TimeSpan.FromMinutes(i < 3 ? 1 : 600)));
            kit.Ping($"job-{i:D4}");
        }

        kit.Take();
        var lastWatched = kit.Now;
        kit.Clock.Advance(TimeSpan.FromMinutes(30));

        var moved = kit.Evaluator.RecoverBlindSpan(lastWatched, "test");

        Assert.Equal(3, moved);
        Assert.Equal(["job-0000", "job-0001", "job-0002"], kit.Take().Checks.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Renew_AfterItsLeaseExpired_IsGoneEvenWhenTheLoopDidNotTickYet()
    {
        var kit = new TestKit().Add(TestKit.Every("worker", TimeSpan.FromHours(1)));
        var grant = kit.Evaluator.AcquireLease("worker", TimeSpan.FromMinutes(1), "h:1", null, null).Grant!;
        kit.Take();

        // Expiry and renew land in the same batch: the clock passed the expiry, no Tick ran in between.
        kit.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromMilliseconds(1));
        var renew = kit.Evaluator.Execute(new RenewLeaseCommand("worker", grant.Token, null, null));

        Assert.Equal(LeaseCallStatus.Gone, renew.Status);
        Assert.Equal(CheckStatus.Down, kit.Status("worker"));
        var changes = kit.Take();
        Assert.Contains(changes.Events, e => e.Type == EventTypes.LeaseExpired);
        Assert.Equal(["worker:down:firing"], TestKit.Describe(changes.Notifications));
    }

    [Fact]
    public void Renew_JustBeforeExpiry_Succeeds()
    {
        var kit = new TestKit().Add(TestKit.Every("worker", TimeSpan.FromHours(1)));
        var grant = kit.Evaluator.AcquireLease("worker", TimeSpan.FromMinutes(1), "h:1", null, null).Grant!;

        kit.Clock.Advance(TimeSpan.FromMinutes(1) - TimeSpan.FromMilliseconds(1));

        Assert.Equal(LeaseCallStatus.Ok, kit.Evaluator.Execute(new RenewLeaseCommand("worker", grant.Token, null, null)).Status);
    }

    [Fact]
    public void FencingTokens_NeverGoBack_AcrossDeleteAndRecreate()
    {
        var kit = new TestKit().Add(TestKit.Every("worker", TimeSpan.FromHours(1)));
        for (var i = 0; i < 3; i++)
        {
            var grant = kit.Evaluator.AcquireLease("worker", TimeSpan.FromMinutes(1), "h:1", null, null).Grant!;
            kit.Evaluator.ReleaseLease("worker", grant.Token, LeaseOutcome.Success, null, null, null, false, null);
        }

        Assert.Equal(3, kit.Take().FencingHighWater);
        kit.Evaluator.Delete("worker");
        kit.Add(TestKit.Every("worker", TimeSpan.FromHours(1)));

        var again = kit.Evaluator.AcquireLease("worker", TimeSpan.FromMinutes(1), "h:2", null, null).Grant!;

        Assert.Equal(4, again.FencingToken);
    }

    [Fact]
    public void FencingHighWater_FromTheStore_HoldsForACheckCreatedAfterARestart()
    {
        var kit = new TestKit();
        kit.Evaluator.LoadFencingHighWater(41);
        kit.Add(TestKit.Every("worker", TimeSpan.FromHours(1)));

        Assert.Equal(42, kit.Evaluator.AcquireLease("worker", TimeSpan.FromMinutes(1), "h", null, null).Grant!.FencingToken);
    }

    [Fact]
    public void ApplyConfigChecks_UuidCollisionInTheMiddle_AppliesNothing()
    {
        var kit = new TestKit();
        var apiOwned = Guid.Parse("5f3b1c2e-8d4a-4b6e-9c1f-2a7d3e9b0c11");
        kit.Add(TestKit.Every("api-check", TimeSpan.FromMinutes(1)) with { Uuid = apiOwned });
        kit.Evaluator.Execute(new ApplyConfigChecksCommand([TestKit.Every("old", TimeSpan.FromMinutes(1))]));
        kit.Take();

        var next = new[]
        {
            TestKit.Every("first", TimeSpan.FromMinutes(1)),
            TestKit.Every("collides", TimeSpan.FromMinutes(1)) with { Uuid = apiOwned },
            TestKit.Every("last", TimeSpan.FromMinutes(1)),
        };
        var error = Assert.Throws<ConfigConflictException>(() => kit.Evaluator.Execute(new ApplyConfigChecksCommand(next)));

        Assert.Contains("collides", error.Message);
        Assert.False(kit.Evaluator.HasChanges);
        Assert.Equal(["api-check", "old"], kit.Evaluator.Checks.Select(c => c.Definition.Name).Order(StringComparer.Ordinal));
        Assert.Equal(ManagedBy.Config, kit.Evaluator.Find("old")!.Value.Definition.ManagedBy);
    }

    [Fact]
    public void OpenRuns_AreBounded()
    {
        var kit = new TestKit().Add(TestKit.Every("job", TimeSpan.FromHours(1)) with { MaxRuntime = TimeSpan.FromDays(1) });
        for (var i = 0; i < CheckLimits.MaxOpenRuns + 5; i++)
        {
            kit.Ping("job", PingKind.Start, rid: Guid.NewGuid());
        }

        Assert.Equal(CheckLimits.MaxOpenRuns, kit.State("job").OpenRuns.Count);
    }

    [Fact]
    public void AutoCreate_StopsAtItsLimit_AndADeleteFreesASlot()
    {
        var kit = new TestKit();
        kit.Evaluator.AutoCreateLimit = 2;
        var template = TestKit.Every("template", TimeSpan.FromDays(1));
        PingOutcome Create(string name) => kit.Evaluator.Ping(new PingSignal { Name = name, Kind = PingKind.Success, CreateWith = template });

        Assert.Equal(PingOutcome.Created, Create("a"));
        Assert.Equal(PingOutcome.Created, Create("b"));
        Assert.Equal(PingOutcome.LimitReached, Create("c"));
        Assert.Equal(PingOutcome.Ok, Create("a"));
        Assert.Equal(ManagedBy.Ping, kit.Evaluator.Find("a")!.Value.Definition.ManagedBy);

        kit.Evaluator.Delete("a");
        Assert.Equal(PingOutcome.Created, Create("c"));
    }

    [Fact]
    public void SeededEntropy_SameCommandsOnTheSameClock_GiveTheSameIdsAndTokens()
    {
        static List<string> Replay()
        {
            var clock = new FakeTimeProvider(TestKit.Epoch);
            var evaluator = new Evaluator(clock, entropy: Entropy.Seeded(7));
            evaluator.Upsert(TestKit.Every("job", TimeSpan.FromMinutes(1), TimeSpan.Zero));
            var grant = evaluator.Execute(new AcquireLeaseCommand("job", TimeSpan.FromSeconds(30), "h", null, null)).Grant!;
            clock.Advance(TimeSpan.FromMinutes(5));
            evaluator.Tick();
            var changes = evaluator.TakeChanges();
            return [grant.Token, grant.Rid.ToString(), evaluator.Find("job")!.Value.Definition.Uuid.ToString(),
                .. changes.Notifications.Select(n => n.Id.ToString())];
        }

        Assert.Equal(Replay(), Replay());
    }

    [Fact]
    public void CheckStateClone_CopiesEveryProperty()
    {
        var state = new CheckState
        {
            Status = CheckStatus.Down, StatusSince = TestKit.Epoch, LastSignalAt = TestKit.Epoch, LastSuccessAt = TestKit.Epoch,
            LastFailureAt = TestKit.Epoch, ScheduleAnchor = TestKit.Epoch, LastDurationEndAt = TestKit.Epoch, LastDurationSeconds = 3,
            ConsecutiveFailures = 2, ConsecutiveSuccesses = 1, DataTs = TestKit.Epoch, FencingCounter = 9,
            OpenRuns = [new OpenRun { Rid = Guid.NewGuid(), StartedAt = TestKit.Epoch }],
            Leases = [new HeldLease { Token = "t", Holder = "h", FencingToken = 9 }],
            Alerts = { ["down"] = new AlertState { Firing = true, Reason = "r" } },
            StatusChanges = [TestKit.Epoch], Flapping = true, NotBefore = TestKit.Epoch,
        };

        var copy = state.Clone();

        foreach (var property in typeof(CheckState).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(property.GetValue(state)), System.Text.Json.JsonSerializer.Serialize(property.GetValue(copy)));
        }

        copy.OpenRuns[0].Deadline = TestKit.Epoch;
        copy.Alerts["down"].Firing = false;
        Assert.Null(state.OpenRuns[0].Deadline);
        Assert.True(state.Alerts["down"].Firing);
    }

    private static string Snapshot(CheckState state) => System.Text.Json.JsonSerializer.Serialize(state);
}
