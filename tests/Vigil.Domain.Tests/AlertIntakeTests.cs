using Vigil.Domain.Checks;
using Vigil.Domain.Commands;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Intake;
using Vigil.Domain.Notifications;

namespace Vigil.Domain.Tests;

/// <summary>Alerts from Alertmanager in the evaluator: one notification per new alert state, records written in the
/// same changes, bounded by retention and count, atomic like every command, held back by silences while owed.</summary>
public class AlertIntakeTests
{
    private static IncomingAlert Alert(TestKit kit, string fingerprint, bool resolved = false, Severity severity = Severity.Critical) => new()
    {
        Fingerprint = fingerprint,
        Resolved = resolved,
        StartsAt = TestKit.Epoch - TimeSpan.FromMinutes(5),
        EndsAt = resolved ? kit.Now : null,
        Alert = "DiskFull",
        Severity = severity,
        Reason = "disk full",
    };

    private static IngestResult Ingest(TestKit kit, params IncomingAlert[] alerts) =>
        kit.Evaluator.Execute(new IngestAlertsCommand(alerts));

    [Fact]
    public void A_new_alert_state_is_one_notification_and_one_record_in_the_same_changes()
    {
        var kit = new TestKit();
        var result = Ingest(kit, Alert(kit, "01"), Alert(kit, "01"));

        Assert.Equal(new IngestResult(IngestOutcome.Done, Accepted: 1, Deduplicated: 1), result);
        var changes = kit.Take();
        var notification = Assert.Single(changes.Notifications);
        Assert.Equal(":DiskFull:firing", $"{notification.Check}:{notification.Alert}:{notification.State}");
        var written = Assert.Single(changes.Intake);
        Assert.Equal(Alert(kit, "01").Key, written.Key);
        Assert.Equal(kit.Now + AlertIntake.DefaultRetention, written.Record!.ExpiresAt);

        Assert.Equal(new IngestResult(IngestOutcome.Done, Deduplicated: 1), Ingest(kit, Alert(kit, "01")));
        Assert.True(kit.Take().IsEmpty);
    }

    [Fact]
    public void Past_the_limit_the_oldest_records_are_let_go()
    {
        var kit = new TestKit();
        kit.Evaluator.MaxIntakeRecords = 5;
        for (var i = 0; i < 8; i++)
        {
            Ingest(kit, Alert(kit, $"{i:x2}"));
            kit.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(5, kit.Evaluator.IntakeCount);
        var changes = kit.Take();
        Assert.Equal(["00", "01", "02"], changes.Intake.Where(c => c.Record is null).Select(c => c.Key.Split(':')[1]));
        Assert.Equal(1, Ingest(kit, Alert(kit, "07")).Deduplicated);
        Assert.Equal(1, Ingest(kit, Alert(kit, "00")).Accepted);
        Assert.Equal(5, kit.Evaluator.IntakeCount);
    }

    [Fact]
    public void Records_expire_after_the_retention_and_are_pruned_by_the_clock()
    {
        var kit = new TestKit();
        Ingest(kit, Alert(kit, "01"));
        kit.Advance(TimeSpan.FromDays(1));
        Ingest(kit, Alert(kit, "02"));
        kit.Take();

        kit.Advance(AlertIntake.DefaultRetention - TimeSpan.FromDays(1) - TimeSpan.FromSeconds(1));
        Assert.Empty(kit.Take().Intake);
        kit.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([new IntakeChange(Alert(kit, "01").Key, null)], kit.Take().Intake);
        Assert.Equal(1, kit.Evaluator.IntakeCount);
        Assert.Equal(TestKit.Epoch + TimeSpan.FromDays(1) + AlertIntake.DefaultRetention, kit.Evaluator.NextDeadline);

        kit.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, kit.Evaluator.IntakeCount);
        Assert.Null(kit.Evaluator.NextDeadline);
    }

    private sealed record IngestThenFail(IReadOnlyList<IncomingAlert> Alerts) : EvaluatorCommand<int>
    {
        public override string Kind => "test";

        protected internal override int ApplyTo(Evaluator evaluator)
        {
            evaluator.IngestAlerts(new IngestAlertsCommand(Alerts, "idempotency:k", "digest"));
            throw new InvalidOperationException("a later step failed");
        }
    }

    [Fact]
    public void A_command_that_fails_leaves_no_record_behind()
    {
        var kit = new TestKit();
        Ingest(kit, Alert(kit, "01"));
        kit.Take();

        Assert.Throws<InvalidOperationException>(() => kit.Evaluator.Execute(new IngestThenFail([Alert(kit, "01", resolved: true), Alert(kit, "02")])));

        Assert.True(kit.Take().IsEmpty);
        Assert.Equal(1, kit.Evaluator.IntakeCount);
        Assert.Null(kit.Evaluator.FindIntake("idempotency:k"));
        Assert.Equal(2, Ingest(kit, Alert(kit, "01", resolved: true), Alert(kit, "02")).Accepted);
    }

    [Fact]
    public void The_same_idempotency_key_is_a_replay_with_its_payload_and_a_conflict_with_another()
    {
        var kit = new TestKit();
        kit.Evaluator.Execute(new IngestAlertsCommand([Alert(kit, "01")], "idempotency:k", "one"));
        kit.Take();

        var replay = kit.Evaluator.Execute(new IngestAlertsCommand([Alert(kit, "01")], "idempotency:k", "one"));
        var conflict = kit.Evaluator.Execute(new IngestAlertsCommand([Alert(kit, "02")], "idempotency:k", "two"));

        Assert.Equal(IngestOutcome.Replayed, replay.Outcome);
        Assert.Equal(IngestOutcome.Conflict, conflict.Outcome);
        Assert.Equal(TestKit.Epoch, conflict.FirstSeen);
        Assert.True(kit.Take().IsEmpty);
    }

    [Fact]
    public void A_silenced_alert_is_held_in_its_record_and_sent_when_the_silence_ends()
    {
        var kit = new TestKit();
        kit.Evaluator.AddSilence(new Silence
        {
            Id = Guid.NewGuid(), Match = new AlertMatcher { Severity = Severity.Warning }, StartsAt = kit.Now, EndsAt = kit.Now + TimeSpan.FromHours(1),
            Reason = "maintenance", CreatedAt = kit.Now,
        });
        kit.Take();

        Assert.Equal(1, Ingest(kit, Alert(kit, "01", severity: Severity.Warning)).HeldBack);
        Assert.Equal(0, Ingest(kit, Alert(kit, "02")).HeldBack);
        var changes = kit.Take();
        Assert.Equal(Severity.Critical, Assert.Single(changes.Notifications).Severity);
        Assert.NotNull(changes.Intake.Single(c => c.Key == Alert(kit, "01", severity: Severity.Warning).Key).Record!.Held);

        // Held records are owed: never let go, even past the limit and the retention.
        kit.Evaluator.MaxIntakeRecords = 1;
        Assert.Equal(IngestOutcome.Full, Ingest(kit, Alert(kit, "03")).Outcome);

        kit.Advance(TimeSpan.FromHours(1));
        var released = Assert.Single(kit.Take().Notifications);
        Assert.Equal(Severity.Warning, released.Severity);
        Assert.Equal(kit.Now, released.At);
        Assert.Null(kit.Evaluator.FindIntake(Alert(kit, "01", severity: Severity.Warning).Key)?.Held);
    }

    [Fact]
    public void A_silence_longer_than_the_retention_keeps_the_record_and_it_is_remembered_a_full_retention_after_release()
    {
        var kit = new TestKit();
        var length = AlertIntake.DefaultRetention + TimeSpan.FromDays(3);
        kit.Evaluator.AddSilence(new Silence
        {
            Id = Guid.NewGuid(), Match = new AlertMatcher { Severity = Severity.Warning }, StartsAt = kit.Now, EndsAt = kit.Now + length,
            Reason = "long works", CreatedAt = kit.Now,
        });
        var alert = Alert(kit, "01", severity: Severity.Warning);
        Ingest(kit, alert);
        kit.Take();

        kit.Advance(length);
        Assert.Single(kit.Take().Notifications);
        Assert.Equal(kit.Now + AlertIntake.DefaultRetention, kit.Evaluator.FindIntake(alert.Key)!.ExpiresAt);
        kit.Advance(AlertIntake.DefaultRetention - TimeSpan.FromSeconds(1));
        Assert.Equal(1, Ingest(kit, alert).Deduplicated);
        Assert.Empty(kit.Take().Notifications);
    }

    [Fact]
    public void A_resolution_while_the_firing_is_still_held_back_sends_nothing_at_all()
    {
        var kit = new TestKit();
        kit.Evaluator.SetMaintenanceWindows([new MaintenanceWindow
        {
            Match = new AlertMatcher { Severity = Severity.Warning }, Cron = "0 12 * * *", Duration = TimeSpan.FromHours(1),
        }]);
        kit.Take();

        Ingest(kit, Alert(kit, "01", severity: Severity.Warning));
        kit.Advance(TimeSpan.FromMinutes(10));
        Ingest(kit, Alert(kit, "01", resolved: true, severity: Severity.Warning));
        kit.Advance(TimeSpan.FromHours(1));

        Assert.Empty(kit.Take().Notifications);
        Assert.Null(kit.Evaluator.FindIntake(Alert(kit, "01", severity: Severity.Warning).Key)!.Held);
    }

    [Fact]
    public void A_silence_that_names_a_check_does_not_match_an_alert_from_elsewhere()
    {
        var kit = new TestKit();
        kit.Evaluator.AddSilence(new Silence
        {
            Id = Guid.NewGuid(), Match = new AlertMatcher { Check = "*" }, StartsAt = kit.Now, EndsAt = kit.Now + TimeSpan.FromHours(1),
            Reason = "all checks", CreatedAt = kit.Now,
        });

        Assert.Equal(0, Ingest(kit, Alert(kit, "01")).HeldBack);
        Assert.Single(kit.Take().Notifications);
    }
}
