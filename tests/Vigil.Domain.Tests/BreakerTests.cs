using Vigil.Domain.Breakers;
using Vigil.Domain.Checks;
using Vigil.Domain.Commands;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;

namespace Vigil.Domain.Tests;

/// <summary>The breaker state machine on a fake clock: tripping, cooldowns that end by themselves, probe permits
/// that are leases, forces, and commands that fail without a trace.</summary>
public class BreakerTests
{
    private static readonly TimeSpan OpenFor = TimeSpan.FromSeconds(30);

    private static BreakerDefinition Consecutive(int threshold = 5, int probes = 1, TimeSpan? probeTtl = null) => new()
    {
        Name = "exchange",
        FailureThreshold = threshold,
        OpenFor = OpenFor,
        Backoff = 2.0,
        MaxOpenFor = TimeSpan.FromMinutes(3),
        HalfOpenProbes = probes,
        ProbeTtl = probeTtl ?? TimeSpan.FromSeconds(20),
        Severity = Severity.Critical,
    };

    private static BreakerDefinition Rate(double rate = 0.5, int minCalls = 4, TimeSpan? window = null) => Consecutive() with
    {
        FailureThreshold = null,
        FailureRate = rate,
        MinCalls = minCalls,
        Window = window ?? TimeSpan.FromSeconds(10),
    };

    private static TestKit Kit(BreakerDefinition definition)
    {
        var kit = new TestKit();
        kit.Evaluator.ApplyConfigPolicies([definition], []);
        kit.Take();
        return kit;
    }

    private static BreakerState State(TestKit kit) => kit.Evaluator.BreakerSnapshot("exchange")!.State;

    private static ReportResult Report(TestKit kit, BreakerOutcome outcome, string? token = null, string? error = null) =>
        kit.Evaluator.BreakerReport("exchange", outcome, token, error);

    private static void Fail(TestKit kit, int times)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.Equal(ReportStatus.Recorded, Report(kit, BreakerOutcome.Failure, error: $"timeout {i}").Status);
        }
    }

    private static ProbePermit Probe(TestKit kit, string holder = "bot:1")
    {
        var permit = kit.Evaluator.BreakerPermit("exchange", holder);
        Assert.True(permit.Allowed, $"expected a probe permit, got {permit}");
        Assert.Equal(BreakerStatus.HalfOpen, permit.Status);
        return permit.Probe!;
    }

    [Fact]
    public void Consecutive_failures_trip_it_at_the_threshold_and_fire_breaker_open_with_the_breakers_severity()
    {
        var kit = Kit(Consecutive(threshold: 5));

        Fail(kit, 4);
        Assert.Equal(BreakerStatus.Closed, State(kit).Status);
        Assert.Empty(kit.Take().Notifications);

        Fail(kit, 1);
        var state = State(kit);
        Assert.Equal(BreakerStatus.Open, state.Status);
        Assert.Equal(kit.Now + OpenFor, state.CooldownUntil);
        var notification = Assert.Single(kit.Take().Notifications);
        Assert.Equal(AlertKind.BreakerOpen, notification.Alert);
        Assert.Equal(Notification.Firing, notification.State);
        Assert.Equal(Severity.Critical, notification.Severity);
        Assert.Equal("exchange", notification.Breaker);
        Assert.Null(notification.Check);
        Assert.Contains("5 consecutive failures, the last: timeout 0", notification.Reason, StringComparison.Ordinal);

        var refused = kit.Evaluator.BreakerPermit("exchange", "bot:1");
        Assert.False(refused.Allowed);
        Assert.Equal(BreakerStatus.Open, refused.Status);
        Assert.Equal(OpenFor, refused.RetryAfter);
    }

    [Fact]
    public void A_success_between_failures_resets_the_consecutive_count()
    {
        var kit = Kit(Consecutive(threshold: 3));

        Fail(kit, 2);
        Report(kit, BreakerOutcome.Success);
        Fail(kit, 2);

        Assert.Equal(BreakerStatus.Closed, State(kit).Status);
        Assert.Equal(2, State(kit).ConsecutiveFailures);
        Fail(kit, 1);
        Assert.Equal(BreakerStatus.Open, State(kit).Status);
    }

    [Fact]
    public void A_failure_rate_trips_only_once_min_calls_were_seen_within_the_window()
    {
        var kit = Kit(Rate(rate: 0.5, minCalls: 4));

        Report(kit, BreakerOutcome.Success);
        Fail(kit, 2);
        Assert.Equal(BreakerStatus.Closed, State(kit).Status);

        Fail(kit, 1);
        Assert.Equal(BreakerStatus.Open, State(kit).Status);
        Assert.Contains("3 of 4 calls failed", State(kit).AlertReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Failures_that_slid_out_of_the_window_no_longer_count()
    {
        var kit = Kit(Rate(rate: 0.5, minCalls: 4, window: TimeSpan.FromSeconds(10)));

        Fail(kit, 3);
        kit.Advance(TimeSpan.FromSeconds(11));
        Report(kit, BreakerOutcome.Success);
        Fail(kit, 1);

        Assert.Equal(BreakerStatus.Closed, State(kit).Status);
        Assert.Equal((1, 1), State(kit).WindowCounts(Rate(), kit.Now));
    }

    [Fact]
    public void The_rate_window_keeps_counts_in_a_bounded_number_of_buckets_however_many_calls_arrive()
    {
        var kit = Kit(Rate(rate: 0.9, minCalls: 1_000_000, window: TimeSpan.FromSeconds(10)));

        for (var i = 0; i < 20_000; i++)
        {
            kit.Clock.Advance(TimeSpan.FromMilliseconds(7));
            Report(kit, i % 3 == 0 ? BreakerOutcome.Failure : BreakerOutcome.Success);
        }

        Assert.True(State(kit).Buckets.Count <= BreakerDefinition.WindowBuckets + 1, $"{State(kit).Buckets.Count} buckets");
        var (successes, failures) = State(kit).WindowCounts(Rate(window: TimeSpan.FromSeconds(10)), kit.Now);
        Assert.InRange(successes + failures, 1280, 1430);
    }

    [Fact]
    public void An_open_breaker_becomes_half_open_when_its_cooldown_ends_with_nobody_calling()
    {
        var kit = Kit(Consecutive(threshold: 1));
        Fail(kit, 1);
        Assert.Equal(kit.Now + OpenFor, kit.Evaluator.NextDeadline);

        kit.Advance(OpenFor - TimeSpan.FromMilliseconds(1));
        Assert.Equal(BreakerStatus.Open, State(kit).Status);

        var handled = kit.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(1, handled);
        Assert.Equal(BreakerStatus.HalfOpen, State(kit).Status);
        Assert.Null(kit.Evaluator.NextDeadline);
        Assert.Contains("exchange", kit.Take().Breakers.Keys);
    }

    [Fact]
    public void Each_failed_probe_reopens_it_with_the_cooldown_grown_by_backoff_up_to_max_open_for()
    {
        var kit = Kit(Consecutive(threshold: 1));
        Fail(kit, 1);
        kit.Take();
        var cooldowns = new List<TimeSpan>();
        for (var round = 0; round < 5; round++)
        {
            kit.Advance(State(kit).OpenFor!.Value);
            Assert.Equal(BreakerStatus.HalfOpen, State(kit).Status);
            var probe = Probe(kit);
            Assert.Equal(ReportStatus.Recorded, Report(kit, BreakerOutcome.Failure, probe.Token, "still down").Status);
            Assert.Equal(BreakerStatus.Open, State(kit).Status);
            cooldowns.Add(State(kit).CooldownUntil!.Value - kit.Now);
        }

        Assert.Equal(
            [TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(180), TimeSpan.FromSeconds(180), TimeSpan.FromSeconds(180)],
            cooldowns);
        Assert.DoesNotContain(kit.Take().Notifications, n => n.State == Notification.Firing);
    }

    [Fact]
    public void A_successful_probe_closes_it_resets_counters_and_cooldown_and_resolves_the_alert()
    {
        var kit = Kit(Consecutive(threshold: 2));
        Fail(kit, 2);
        kit.Advance(OpenFor);
        var probe = Probe(kit);
        kit.Clock.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(ReportStatus.Recorded, Report(kit, BreakerOutcome.Success, probe.Token).Status);

        var state = State(kit);
        Assert.Equal(BreakerStatus.Closed, state.Status);
        Assert.Equal(kit.Now, state.LastSuccessAt);
        Assert.Equal(0, state.ConsecutiveFailures);
        Assert.Null(state.CooldownUntil);
        Assert.Null(state.OpenFor);
        Assert.Empty(state.Probes);
        Assert.False(state.AlertFiring);
        Assert.Equal(["firing", "resolved"], kit.Take().Notifications.Select(n => n.State));

        // A fresh breaker again: one failure does not trip a threshold of 2, and the next trip starts at open_for.
        Fail(kit, 1);
        Assert.Equal(BreakerStatus.Closed, State(kit).Status);
        Fail(kit, 1);
        Assert.Equal(OpenFor, State(kit).CooldownUntil - kit.Now);
    }

    [Fact]
    public void Half_open_hands_out_at_most_half_open_probes_permits_and_says_when_the_first_expires()
    {
        var kit = Kit(Consecutive(threshold: 1, probes: 2, probeTtl: TimeSpan.FromSeconds(20)));
        Fail(kit, 1);
        kit.Advance(OpenFor);

        var first = Probe(kit, "a");
        kit.Clock.Advance(TimeSpan.FromSeconds(5));
        var second = Probe(kit, "b");
        var third = kit.Evaluator.BreakerPermit("exchange", "c");

        Assert.NotEqual(first.Token, second.Token);
        Assert.False(third.Allowed);
        Assert.Equal(BreakerStatus.HalfOpen, third.Status);
        Assert.Equal(TimeSpan.FromSeconds(15), third.RetryAfter);
    }

    [Fact]
    public void A_dead_probers_permit_expires_by_itself_and_frees_the_slot()
    {
        var kit = Kit(Consecutive(threshold: 1, probes: 1, probeTtl: TimeSpan.FromSeconds(20)));
        Fail(kit, 1);
        kit.Advance(OpenFor);
        var dead = Probe(kit, "crashed:1");
        Assert.False(kit.Evaluator.BreakerPermit("exchange", "b").Allowed);
        Assert.Equal(dead.ExpiresAt, kit.Evaluator.NextDeadline);

        var handled = kit.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal(1, handled);
        Assert.Empty(State(kit).Probes);
        Assert.Equal(BreakerStatus.HalfOpen, State(kit).Status);
        var next = Probe(kit, "b");
        Assert.NotEqual(dead.Token, next.Token);
    }

    [Fact]
    public void A_late_report_with_an_expired_probe_token_changes_nothing_and_says_so()
    {
        var kit = Kit(Consecutive(threshold: 1, probes: 1, probeTtl: TimeSpan.FromSeconds(20)));
        Fail(kit, 1);
        kit.Advance(OpenFor);
        var late = Probe(kit, "slow:1");
        kit.Advance(TimeSpan.FromSeconds(21));
        var live = Probe(kit, "b");
        kit.Take();
        var before = State(kit);

        var success = Report(kit, BreakerOutcome.Success, late.Token);
        var failure = Report(kit, BreakerOutcome.Failure, late.Token, "boom");

        Assert.Equal(new ReportResult(ReportStatus.ProbeGone, BreakerStatus.HalfOpen), success);
        Assert.Equal(ReportStatus.ProbeGone, failure.Status);
        var after = State(kit);
        Assert.Equal(before.Status, after.Status);
        Assert.Equal(before.Successes, after.Successes);
        Assert.Equal(before.Failures, after.Failures);
        Assert.Equal(before.LastSuccessAt, after.LastSuccessAt);
        Assert.Equal([live.Token], after.Probes.Select(p => p.Token));
        Assert.True(kit.Take().IsEmpty);
    }

    [Fact]
    public void A_probe_that_expires_in_the_same_batch_as_its_late_report_is_gone_whichever_is_processed_first()
    {
        var kit = Kit(Consecutive(threshold: 1, probeTtl: TimeSpan.FromSeconds(20)));
        Fail(kit, 1);
        kit.Advance(OpenFor);
        var probe = Probe(kit);

        // The clock passes the expiry, and the report arrives before the loop wakes for the deadline.
        kit.Clock.Advance(TimeSpan.FromSeconds(20));
        var report = Report(kit, BreakerOutcome.Success, probe.Token);

        Assert.Equal(ReportStatus.ProbeGone, report.Status);
        Assert.Equal(BreakerStatus.HalfOpen, State(kit).Status);
    }

    [Fact]
    public void Reports_while_open_are_noted_but_do_not_change_the_state_or_the_cooldown()
    {
        var kit = Kit(Consecutive(threshold: 1));
        Fail(kit, 1);
        var until = State(kit).CooldownUntil;

        Report(kit, BreakerOutcome.Success);
        Fail(kit, 3);

        Assert.Equal(BreakerStatus.Open, State(kit).Status);
        Assert.Equal(until, State(kit).CooldownUntil);
        Assert.Equal(4, State(kit).Failures);
        Assert.Equal(1, State(kit).Successes);
    }

    [Fact]
    public void Force_open_refuses_until_auto_which_probes_first_and_every_force_is_audited()
    {
        var kit = Kit(Consecutive());

        var forced = kit.Evaluator.ForceBreaker("exchange", BreakerForce.Open, "exchange maintenance", "ops");
        var refused = kit.Evaluator.BreakerPermit("exchange", "bot:1");
        kit.Advance(TimeSpan.FromHours(1));
        var stillRefused = kit.Evaluator.BreakerPermit("exchange", "bot:1");
        var auto = kit.Evaluator.ForceBreaker("exchange", BreakerForce.Auto, "maintenance over", "ops");
        var probe = Probe(kit);
        Report(kit, BreakerOutcome.Success, probe.Token);

        Assert.Equal(new ForceResult(true, BreakerStatus.Closed, BreakerStatus.ForcedOpen), forced);
        Assert.False(refused.Allowed);
        Assert.Null(refused.RetryAfter);
        Assert.False(stillRefused.Allowed);
        Assert.Equal(BreakerStatus.HalfOpen, auto.After);
        Assert.Equal(BreakerStatus.Closed, State(kit).Status);
        var changes = kit.Take();
        Assert.Equal(["ops breaker.force.open exchange: exchange maintenance", "ops breaker.force.auto exchange: maintenance over"],
            changes.Audit.Select(a => $"{a.Key} {a.Action} {a.Target}: {a.Reason}"));
        Assert.Equal(["firing", "resolved"], changes.Notifications.Select(n => n.State));
    }

    [Fact]
    public void Force_disabled_allows_everything_counts_nothing_and_auto_starts_it_closed_and_fresh()
    {
        var kit = Kit(Consecutive(threshold: 2));
        Fail(kit, 2);

        kit.Evaluator.ForceBreaker("exchange", BreakerForce.Disabled, "vendor flaky, trading anyway", "ops");
        Fail(kit, 10);
        var permit = kit.Evaluator.BreakerPermit("exchange", "bot:1");

        Assert.True(permit.Allowed);
        Assert.Equal(BreakerStatus.Disabled, State(kit).Status);
        Assert.False(State(kit).AlertFiring);

        kit.Evaluator.ForceBreaker("exchange", BreakerForce.Auto, "back to normal", "ops");
        Assert.Equal(BreakerStatus.Closed, State(kit).Status);
        Assert.Equal(0, State(kit).ConsecutiveFailures);
        Assert.Null(State(kit).ForcedBy);
    }

    [Fact]
    public void Force_closed_resets_an_open_breaker_which_then_trips_by_itself_again()
    {
        var kit = Kit(Consecutive(threshold: 1));
        Fail(kit, 1);

        var result = kit.Evaluator.ForceBreaker("exchange", BreakerForce.Closed, "false alarm", "ops");

        Assert.Equal(new ForceResult(true, BreakerStatus.Open, BreakerStatus.Closed), result);
        Assert.Null(kit.Evaluator.NextDeadline);
        Fail(kit, 1);
        Assert.Equal(BreakerStatus.Open, State(kit).Status);
    }

    [Fact]
    public void A_failing_command_leaves_no_trace_on_a_breaker()
    {
        var kit = Kit(Consecutive(threshold: 1));
        var before = State(kit);

        Assert.Throws<InvalidOperationException>(() => kit.Evaluator.Execute(new PoisonBreakerCommand()));

        var after = State(kit);
        Assert.Equal(before.Status, after.Status);
        Assert.Equal(before.Failures, after.Failures);
        Assert.Null(after.CooldownUntil);
        Assert.Null(kit.Evaluator.NextDeadline);
        Assert.True(kit.Take().IsEmpty);
    }

    [Fact]
    public void A_reload_that_conflicts_changes_no_breaker_and_no_check()
    {
        var kit = Kit(Consecutive());
        kit.Evaluator.Upsert(TestKit.Every("trader", TimeSpan.FromMinutes(1)), fromConfig: true);
        kit.Take();

        var conflict = Assert.Throws<ConfigConflictException>(() => kit.Evaluator.Execute(new ApplyConfigCommand(
            new ApplyConfigChecksCommand([TestKit.Every("other", TimeSpan.FromMinutes(1))]),
            new ApplyConfigPoliciesCommand([Consecutive() with { Name = "vendor" }], [new Gates.GateDefinition { Name = "trading", Breakers = ["nope"] }]))));

        Assert.Contains("gate 'trading': breakers 'nope' is not a declared breaker", conflict.Message, StringComparison.Ordinal);
        Assert.NotNull(kit.Evaluator.Find("trader"));
        Assert.Null(kit.Evaluator.Find("other"));
        Assert.NotNull(kit.Evaluator.BreakerSnapshot("exchange"));
        Assert.Null(kit.Evaluator.BreakerSnapshot("vendor"));
        Assert.True(kit.Take().IsEmpty);
    }

    [Fact]
    public void A_breaker_no_longer_declared_is_removed_and_its_alert_resolved()
    {
        var kit = Kit(Consecutive(threshold: 1));
        Fail(kit, 1);
        kit.Take();

        kit.Evaluator.ApplyConfigPolicies([], []);

        Assert.Null(kit.Evaluator.BreakerSnapshot("exchange"));
        Assert.Null(kit.Evaluator.NextDeadline);
        var changes = kit.Take();
        Assert.Contains("exchange", changes.DeletedBreakers);
        Assert.Equal("resolved", Assert.Single(changes.Notifications).State);
    }

    [Fact]
    public void A_restored_breaker_keeps_its_cooldown_in_the_heap_and_its_probes()
    {
        var kit = Kit(Consecutive(threshold: 1, probes: 2));
        Fail(kit, 1);
        kit.Advance(OpenFor);
        var probe = Probe(kit);
        var snapshot = kit.Evaluator.BreakerSnapshot("exchange")!;

        var restarted = new TestKit(kit.Now);
        restarted.Evaluator.Load(snapshot.Definition, snapshot.State.Clone());

        Assert.Equal(probe.ExpiresAt, restarted.Evaluator.NextDeadline);
        Assert.Equal(ReportStatus.Recorded, restarted.Evaluator.BreakerReport("exchange", BreakerOutcome.Success, probe.Token, null).Status);
        Assert.Equal(BreakerStatus.Closed, restarted.Evaluator.BreakerSnapshot("exchange")!.Status);
    }

    [Fact]
    public void A_cooldown_that_ended_while_vigil_was_down_ends_at_once_not_after_the_startup_grace()
    {
        var kit = Kit(Consecutive(threshold: 1));
        Fail(kit, 1);
        var lastAlive = kit.Now;
        kit.Clock.Advance(TimeSpan.FromMinutes(10));

        kit.Evaluator.RecoverBlindSpan(lastAlive, "Vigil was stopped");
        kit.Evaluator.Tick();

        Assert.Equal(BreakerStatus.HalfOpen, State(kit).Status);
    }

    private sealed record PoisonBreakerCommand : EvaluatorCommand<int>
    {
        public override string Kind => "poison";

        protected internal override int ApplyTo(Evaluator evaluator)
        {
            evaluator.BreakerReport("exchange", BreakerOutcome.Failure, null, "trip it");
            evaluator.ForceBreaker("exchange", BreakerForce.Disabled, "then disable it", "ops");
            throw new InvalidOperationException("a rule bug after changing the breaker");
        }
    }
}
