using Vigil.Domain.Checks;
using Vigil.Domain.Commands;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Domain.Tests;

/// <summary>Probe runs as obligations in the heap: asked for when due, never twice at once, results judged into
/// status and alerts, nothing stuck in flight whatever happens to a run.</summary>
public sealed class ProbeSchedulingTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    internal static CheckDefinition Probe(string name, TimeSpan? every = null, int failAfter = 1, int recoverAfter = 1,
        Severity severity = Severity.Critical, Level unmeasurable = Level.Critical) => new()
    {
        Name = name,
        Kind = CheckKind.Probe,
        Every = every ?? Period,
        Probe = new FileProbeDefinition { Path = "/srv/token.json", Timeout = TimeSpan.FromSeconds(10) },
        WarnIf = Condition.Parse("age > 5d"),
        CriticalIf = Condition.Parse("age > 7d"),
        FailAfter = failAfter,
        RecoverAfter = recoverAfter,
        Severity = severity,
        Unmeasurable = unmeasurable,
    };

    private static Measurement Measured(TestKit kit, Level level, double ageDays = 1) =>
        new(kit.Now, new Dictionary<string, double> { [Quantity.Age] = ageDays * 86400 }, level, $"the token is {ageDays}d old");

    /// <summary>Acts on due deadlines and returns the probe requests they made (and the rest of the changes, taken).</summary>
    private static List<ProbeRequest> Requests(TestKit kit, out Changes changes)
    {
        kit.Evaluator.Tick();
        changes = kit.Take();
        return changes.ProbeRequests;
    }

    private static List<ProbeRequest> Requests(TestKit kit) => Requests(kit, out _);

    private static ProbeResultOutcome Answer(TestKit kit, ProbeRequest request, Level level, double ageDays = 1) =>
        kit.Evaluator.Execute(new ProbeResultCommand(request, Measured(kit, level, ageDays), kit.Now));

    [Fact]
    public void A_new_probe_check_is_asked_for_at_once_and_marked_in_flight()
    {
        var kit = new TestKit().Add(Probe("token"));
        kit.Take();

        var request = Assert.Single(Requests(kit, out var changes));

        Assert.DoesNotContain("token", changes.Checks.Keys);
        Assert.True(request.Settled, "its definition was committed with an earlier batch: the run need not wait for this one");
        Assert.Equal("token", request.Check);
        Assert.Equal(kit.Now, request.DueAt);
        Assert.Same(kit.Evaluator.Find("token")!.Value.Definition, request.Definition);
        Assert.Equal(new ProbeInFlight(kit.Now, kit.Now, request.Run), kit.State("token").ProbeInFlight);
        Assert.Empty(Requests(kit));
    }

    [Fact]
    public void A_run_still_in_flight_when_its_next_slot_comes_is_not_asked_for_again()
    {
        var kit = new TestKit().Add(Probe("token", every: TimeSpan.FromSeconds(10)));
        var first = Assert.Single(Requests(kit));

        for (var i = 0; i < 5; i++)
        {
            kit.Advance(TimeSpan.FromSeconds(10));
            Assert.Empty(Requests(kit));
        }

        Assert.Equal(ProbeResultOutcome.Applied, Answer(kit, first, Level.Ok));
        var changes = kit.Take();
        var probeEvent = Assert.Single(changes.Events, e => e.Type == EventTypes.Probe);
        Assert.Contains("skipped while it ran", probeEvent.Reason, StringComparison.Ordinal);
        Assert.True(kit.State("token").NextProbeAt > kit.Now, "the next run is in the future, not at once on top of the last");
    }

    [Fact]
    public void Runs_follow_a_grid_of_the_period_offset_per_check_so_many_checks_spread_out()
    {
        var kit = new TestKit();
        for (var i = 0; i < 20; i++)
        {
            kit.Add(Probe($"p{i}"));
        }

        var firsts = Requests(kit);
        Assert.Equal(20, firsts.Count);
        foreach (var r in firsts)
        {
            Answer(kit, r, Level.Ok);
        }

        var next = firsts.Select(r => kit.State(r.Check).NextProbeAt!.Value).ToList();
        Assert.All(next, n => Assert.InRange(n, kit.Now.AddTicks(1), kit.Now + Period));
        Assert.True(next.Distinct().Count() >= 15, "checks of one period do not all fall due at the same instant");

        // Each check then runs exactly once per period, on its slot.
        var dueOf = firsts.ToDictionary(r => r.Check, r => kit.State(r.Check).NextProbeAt!.Value);
        kit.Take();
        kit.Advance(Period);
        var seconds = Requests(kit);
        Assert.Equal(20, seconds.Count);
        Assert.All(seconds, r => Assert.Equal(dueOf[r.Check], r.DueAt));
        foreach (var r in seconds)
        {
            Answer(kit, r, Level.Ok);
            Assert.Equal(r.DueAt + Period, kit.State(r.Check).NextProbeAt);
        }
    }

    [Fact]
    public void A_run_due_within_a_few_milliseconds_is_asked_for_in_the_batch_at_hand_not_by_a_wake_up_of_its_own()
    {
        var kit = new TestKit().Add(Probe("token"));
        Answer(kit, Assert.Single(Requests(kit)), Level.Ok);
        var slot = kit.State("token").NextProbeAt!.Value;

        kit.AdvanceTo(slot - Evaluator.ProbeStartEarly - TimeSpan.FromMilliseconds(1));
        Assert.Empty(kit.Take().ProbeRequests);

        kit.AdvanceTo(slot - TimeSpan.FromMilliseconds(5));
        var early = Assert.Single(kit.Take().ProbeRequests);
        Assert.Equal(slot, early.DueAt);
    }

    [Fact]
    public void Ok_warning_critical_ok_fires_and_resolves_probe_alerts_and_keeps_the_measurement()
    {
        var kit = new TestKit().Add(Probe("token"));

        Answer(kit, Assert.Single(Requests(kit)), Level.Ok, 1);
        Assert.Equal(CheckStatus.Up, kit.Status("token"));
        Assert.Empty(kit.TakeNotifications());

        kit.Advance(Period);
        Answer(kit, Assert.Single(Requests(kit)), Level.Warning, 6);
        Assert.Equal(CheckStatus.Up, kit.Status("token"));
        Assert.Equal(Level.Warning, kit.State("token").Level);
        Assert.Equal(["token:probe_warning:firing"], kit.TakeNotifications());

        kit.Advance(Period);
        Answer(kit, Assert.Single(Requests(kit)), Level.Critical, 8);
        Assert.Equal(CheckStatus.Down, kit.Status("token"));
        Assert.Equal(Level.Critical, kit.State("token").Level);
        Assert.Equal(["token:probe_critical:firing"], kit.TakeNotifications());
        var stored = kit.State("token").Measurement!;
        Assert.Equal(Level.Critical, stored.Level);
        Assert.Equal(8 * 86400, stored.Quantities[Quantity.Age]);
        Assert.Equal("the token is 8d old", stored.Reason);

        kit.Advance(Period);
        Answer(kit, Assert.Single(Requests(kit)), Level.Ok, 0.5);
        Assert.Equal(CheckStatus.Up, kit.Status("token"));
        Assert.Equal(Level.Ok, kit.State("token").Level);
        Assert.Equal(["token:probe_critical:resolved", "token:probe_warning:resolved"], kit.TakeNotifications());
    }

    [Fact]
    public void A_probe_result_is_an_event_whose_reason_is_the_measurements_sentence()
    {
        var kit = new TestKit().Add(Probe("token"));

        Answer(kit, Assert.Single(Requests(kit)), Level.Warning, 6);

        var e = Assert.Single(kit.Take().Events, e => e.Type == EventTypes.Probe);
        Assert.Equal("token", e.Check);
        Assert.Equal("the token is 6d old", e.Reason);
    }

    [Fact]
    public void Probe_critical_takes_the_checks_severity_and_probe_warning_is_a_warning()
    {
        var kit = new TestKit().Add(Probe("skew", severity: Severity.Warning));

        Answer(kit, Assert.Single(Requests(kit)), Level.Critical);

        var alert = kit.State("skew").Alerts[AlertKind.ProbeCritical];
        Assert.Equal(Severity.Warning, alert.Severity);
        Assert.Equal(Level.Warning, kit.State("skew").Level);
        Assert.Equal(CheckStatus.Down, kit.Status("skew"));
    }

    [Fact]
    public void Fail_after_and_recover_after_count_probe_results()
    {
        var kit = new TestKit().Add(Probe("db", failAfter: 3, recoverAfter: 2));
        void Run(Level level)
        {
            kit.Advance(Period);
            Answer(kit, Assert.Single(Requests(kit)), level);
        }

        Answer(kit, Assert.Single(Requests(kit)), Level.Ok);
        Run(Level.Critical);
        Run(Level.Critical);
        Assert.Equal(CheckStatus.Up, kit.Status("db"));
        Assert.Equal(Level.Ok, kit.State("db").Level);
        Assert.Empty(kit.TakeNotifications());

        Run(Level.Critical);
        Assert.Equal(CheckStatus.Down, kit.Status("db"));
        Assert.Equal(["db:probe_critical:firing"], kit.TakeNotifications());

        // One result below critical is not enough to recover; a critical one in between starts the count again.
        Run(Level.Ok);
        Assert.Equal(CheckStatus.Down, kit.Status("db"));
        Run(Level.Critical);
        Run(Level.Ok);
        Assert.Equal(CheckStatus.Down, kit.Status("db"));
        Assert.Empty(kit.TakeNotifications());

        Run(Level.Warning);
        Assert.Equal(CheckStatus.Up, kit.Status("db"));
        Assert.Equal(Level.Warning, kit.State("db").Level);
        Assert.Equal(["db:probe_critical:resolved", "db:probe_warning:firing"], kit.TakeNotifications());
    }

    [Fact]
    public void A_result_that_does_not_answer_the_run_in_flight_is_stale_and_changes_nothing()
    {
        var kit = new TestKit().Add(Probe("token"));
        var request = Assert.Single(Requests(kit));

        var outcome = kit.Evaluator.Execute(new ProbeResultCommand("token", Measured(kit, Level.Critical), request.DueAt, kit.Now, Guid.NewGuid()));

        Assert.Equal(ProbeResultOutcome.Stale, outcome);
        Assert.True(kit.Take().IsEmpty);
        Assert.NotNull(kit.State("token").ProbeInFlight);
        Assert.Equal(ProbeResultOutcome.NotFound,
            kit.Evaluator.Execute(new ProbeResultCommand(request with { Check = "nope" }, Measured(kit, Level.Ok), kit.Now)));
    }

    [Fact]
    public void A_run_that_never_answers_is_reported_lost_unmeasurable_and_asked_for_again_at_its_next_slot()
    {
        var kit = new TestKit().Add(Probe("token", unmeasurable: Level.Warning));
        var first = Assert.Single(Requests(kit));

        kit.Advance(TimeSpan.FromSeconds(10) + Evaluator.ProbeLostAfter - TimeSpan.FromSeconds(1));
        Assert.Empty(Requests(kit));
        Assert.Null(kit.State("token").Measurement);

        kit.Advance(TimeSpan.FromSeconds(1));
        var changes = kit.Take();
        var m = kit.State("token").Measurement!;
        Assert.True(m.Unmeasurable);
        Assert.Equal(Level.Warning, m.Level);
        Assert.Contains("probe scheduler lost it", m.Reason, StringComparison.Ordinal);
        Assert.Null(kit.State("token").ProbeInFlight);
        Assert.Equal(["token:probe_warning:firing"], TestKit.Describe(changes.Notifications));

        // The lost run's late answer is stale; the next slot asks again.
        Assert.Equal(ProbeResultOutcome.Stale, Answer(kit, first, Level.Ok));
        kit.AdvanceTo(kit.State("token").NextProbeAt!.Value);
        Assert.Single(kit.Take().ProbeRequests);
    }

    [Fact]
    public void After_a_restart_a_run_in_flight_is_dropped_without_an_alert_and_asked_for_again_at_once()
    {
        var kit = new TestKit().Add(Probe("token"));
        var before = Assert.Single(Requests(kit));
        kit.Clock.Advance(TimeSpan.FromMinutes(30));

        // What a restart does: load the persisted state, drop runs in flight, cover the blind span.
        var restarted = new TestKit(kit.Now);
        restarted.Evaluator.Load(kit.Evaluator.Find("token")!.Value.Definition, kit.State("token").Clone());
        Assert.Equal(1, restarted.Evaluator.RestartProbes());
        restarted.Evaluator.RecoverBlindSpan(before.DueAt, "Vigil was stopped");
        var changes = restarted.Take();

        Assert.Single(changes.Events, e => e.Type == EventTypes.ProbeRerun);
        Assert.DoesNotContain(changes.Notifications, n => n.Check == "token");
        var again = Assert.Single(Requests(restarted));
        Assert.Equal(restarted.Now, again.DueAt);
        Assert.Null(restarted.State("token").Measurement);
        Assert.Equal(ProbeResultOutcome.Stale,
            restarted.Evaluator.Execute(new ProbeResultCommand(before, Measured(restarted, Level.Ok), restarted.Now)));
        Assert.Equal(ProbeResultOutcome.Applied, Answer(restarted, again, Level.Ok));
    }

    [Fact]
    public void A_blind_span_while_running_drops_the_run_in_flight_and_does_not_postpone_probes()
    {
        var kit = new TestKit(startupGrace: TimeSpan.FromMinutes(5)).Add(Probe("token")).Add(Probe("other"));
        var requests = Requests(kit);
        Answer(kit, requests.Single(r => r.Check == "other"), Level.Ok);
        kit.Take();

        var watched = kit.Now;
        kit.Clock.Advance(TimeSpan.FromMinutes(10));
        kit.Evaluator.RecoverBlindSpan(watched, "the wall clock jumped forward");
        var changes = kit.Take();

        Assert.DoesNotContain(changes.Notifications, n => n.Check is "token" or "other");
        Assert.Single(changes.Events, e => e.Type == EventTypes.ProbeRerun && e.Check == "token");
        Assert.Equal(["other", "token"], Requests(kit).Select(r => r.Check).Order());
    }

    [Fact]
    public void Changing_how_a_probe_is_judged_runs_it_again_at_once_and_the_old_runs_answer_is_stale()
    {
        var kit = new TestKit().Add(Probe("token"));
        var old = Assert.Single(Requests(kit));

        kit.Evaluator.Upsert(Probe("token") with { WarnIf = Condition.Parse("age > 3d") });
        var again = Assert.Single(Requests(kit));

        Assert.False(again.Settled, "a run under a definition this batch brings waits for its commit");
        Assert.Equal(kit.Now, again.DueAt);
        Assert.Equal(Condition.Parse("age > 3d"), again.Definition.WarnIf);
        Assert.Equal(ProbeResultOutcome.Stale, Answer(kit, old, Level.Ok));
        Assert.Equal(ProbeResultOutcome.Applied, Answer(kit, again, Level.Ok));
    }

    [Fact]
    public void A_new_severity_applies_at_once_to_a_firing_probe_critical_and_people_are_told()
    {
        var kit = new TestKit().Add(Probe("skew", severity: Severity.Warning));
        Answer(kit, Assert.Single(Requests(kit)), Level.Critical);
        Assert.Equal(["skew:probe_critical:firing"], kit.TakeNotifications());
        Assert.Equal(Level.Warning, kit.State("skew").Level);

        kit.Evaluator.Upsert(Probe("skew", severity: Severity.Critical));

        Assert.Equal(Level.Critical, kit.State("skew").Level);
        var notification = Assert.Single(kit.Take().Notifications);
        Assert.Equal(AlertKind.ProbeCritical, notification.Alert);
        Assert.Equal(Notifications.Notification.Firing, notification.State);
        Assert.Equal(Severity.Critical, notification.Severity);
    }

    [Fact]
    public void A_paused_probe_is_not_run_and_runs_at_once_when_resumed()
    {
        var kit = new TestKit().Add(Probe("token"));
        var request = Assert.Single(Requests(kit));
        kit.Evaluator.Pause("token");

        kit.Advance(TimeSpan.FromHours(1));
        Assert.Empty(Requests(kit));
        Assert.Equal(ProbeResultOutcome.Stale, Answer(kit, request, Level.Critical));
        Assert.Equal(CheckStatus.Paused, kit.Status("token"));

        kit.Evaluator.Resume("token");
        var resumed = Assert.Single(Requests(kit));
        Assert.Equal(kit.Now, resumed.DueAt);
    }

    [Fact]
    public void A_probe_check_accepts_no_pings()
    {
        var kit = new TestKit().Add(Probe("token"));
        kit.Take();

        Assert.Equal(PingOutcome.ProbeCheck, kit.Ping("token"));
        Assert.Equal(PingOutcome.ProbeCheck, kit.Ping("token", PingKind.Fail));
        Assert.True(kit.Take().IsEmpty);
        Assert.Equal(CheckStatus.New, kit.Status("token"));
    }

    [Fact]
    public void A_probe_check_is_never_late_by_schedule_only_by_what_it_measures()
    {
        var kit = new TestKit().Add(Probe("token"));
        Answer(kit, Assert.Single(Requests(kit)), Level.Ok);

        // Its runs keep being asked for but nobody answers them quickly: no "late" or "down" from the schedule.
        for (var i = 0; i < 10; i++)
        {
            kit.Advance(TimeSpan.FromSeconds(30));
            foreach (var r in Requests(kit))
            {
                Answer(kit, r, Level.Ok);
            }
        }

        Assert.Equal(CheckStatus.Up, kit.Status("token"));
        Assert.Empty(kit.TakeNotifications());
    }
}
