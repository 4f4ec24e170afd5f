using Vigil.Domain.Commands;
using Vigil.Domain.Intake;
using Vigil.Domain.Notifications;
using Vigil.Domain.Time;

namespace Vigil.Domain.Evaluation;

/// <summary>
/// Alerts from elsewhere (Alertmanager): each alert state seen for the first time becomes a notification, routed,
/// silenced and put in the outbox like Vigil's own; a retried delivery finds its record and makes nothing. The
/// records are part of the batch's <see cref="Changes"/>, so they are durable in the same transaction as the
/// notifications they let through. They are bounded by a retention (pruned by an obligation in the heap at the next
/// expiry) and by a count (past it the oldest are let go); records holding a notification back for a silence are
/// kept until the silence ends and the notification is sent.
/// </summary>
public sealed partial class Evaluator
{
    /// <summary>The most records one prune removes; the rest wait a second, so one prune never makes a huge batch.</summary>
    private const int MaxPrunedAtOnce = 5_000;

    private readonly AlertIntake _intake = new();
    private IntakeClock? _intakeClock;

    /// <summary>How long an alert state or Idempotency-Key is remembered. The default is <see cref="AlertIntake.DefaultRetention"/>.</summary>
    public TimeSpan IntakeRetention { get; set; } = AlertIntake.DefaultRetention;

    /// <summary>How many intake records are kept at most. The default is <see cref="AlertIntake.DefaultMaxRecords"/>.</summary>
    public int MaxIntakeRecords { get; set; } = AlertIntake.DefaultMaxRecords;

    public int IntakeCount => _intake.Count;

    public IntakeRecord? FindIntake(string key) => _intake.Find(key);

    /// <summary>Loads the intake's persisted records. Call after the silences and windows are loaded: what a silence
    /// held back and nothing mutes any more (it ended while Vigil was stopped) is released into the pending changes,
    /// which the loop commits with its next batch.</summary>
    public void LoadIntake(IEnumerable<IntakeRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            _intake.Put(record);
        }

        ScheduleIntakeClock();
        ReleaseHeldIntake(Now);
    }

    public IngestResult IngestAlerts(IngestAlertsCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var now = Now;
        PruneIntake(now);
        if (command.IdempotencyKey is { } idempotencyKey && _intake.Find(idempotencyKey) is { } used)
        {
            return used.Digest == command.PayloadDigest
                ? new IngestResult(IngestOutcome.Replayed, Deduplicated: command.Alerts.Count) { FirstSeen = used.FirstSeen }
                : new IngestResult(IngestOutcome.Conflict) { FirstSeen = used.FirstSeen };
        }

        var fresh = new List<IncomingAlert>(command.Alerts.Count);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var alert in command.Alerts)
        {
            if (_intake.Find(alert.Key) is null && keys.Add(alert.Key))
            {
                fresh.Add(alert);
            }
        }

        var deduplicated = command.Alerts.Count - fresh.Count;
        var needed = fresh.Count + (command.IdempotencyKey is null ? 0 : 1);
        if (needed > MaxIntakeRecords - _intake.HeldCount)
        {
            // Only records holding notifications back cannot be let go: refusing is better than forgetting what is owed.
            return new IngestResult(IngestOutcome.Full, Deduplicated: deduplicated);
        }

        var expires = Instants.Add(now, IntakeRetention);
        var heldBack = 0;
        foreach (var alert in fresh)
        {
            var notification = alert.ToNotification(_entropy.NewId(now), now);
            Notification? hold = null;
            if (alert.Resolved && _intake.Find(alert.FiringKey) is { Held: not null } firing)
            {
                // People were never told it fired (a silence held it back): the resolution needs no message, and the
                // firing is no longer owed.
                IntakePut(firing with { Held = null, ExpiresAt = Later(firing.ExpiresAt, expires) });
                heldBack++;
            }
            else if (IsMuted(notification, now))
            {
                hold = notification;
                heldBack++;
            }
            else
            {
                _changes.Notifications.Add(notification);
            }

            IntakePut(new IntakeRecord { Key = alert.Key, FirstSeen = now, ExpiresAt = expires, Held = hold });
        }

        if (command.IdempotencyKey is { } key)
        {
            IntakePut(new IntakeRecord { Key = key, FirstSeen = now, ExpiresAt = expires, Digest = command.PayloadDigest });
        }

        var excess = _intake.Count - MaxIntakeRecords;
        if (excess > 0)
        {
            foreach (var oldest in _intake.Oldest(excess))
            {
                IntakeRemove(oldest.Key);
            }
        }

        ScheduleIntakeClock();
        return new IngestResult(IngestOutcome.Done, fresh.Count, deduplicated, heldBack);
    }

    /// <summary>Whether a silence or maintenance window mutes a notification that belongs to no check. <c>depends_on</c>
    /// is about checks and does not apply.</summary>
    private bool IsMuted(Notification notification, DateTimeOffset now) =>
        _silences.Values.Any(s => s.ActiveAt(now) && s.Match.Matches(notification))
        || _windows.Any(w => w.Match.Matches(notification) && w.WindowAt(now) is not null);

    /// <summary>A mute ended: send what the intake held back and nothing mutes any more.</summary>
    private void ReleaseHeldIntake(DateTimeOffset now)
    {
        if (_intake.HeldCount == 0)
        {
            return;
        }

        foreach (var record in _intake.Held())
        {
            var held = record.Held!;
            if (IsMuted(held, now))
            {
                continue;
            }

            // A firing alert is told as of now (it still fires as far as Vigil knows); a resolution keeps its end. The
            // record is remembered for a full retention from now: a silence may have outlasted it, and Alertmanager
            // keeps repeating a firing alert.
            _changes.Notifications.Add(held.State == Notification.Firing ? held with { At = now } : held);
            IntakePut(record with { Held = null, ExpiresAt = Later(record.ExpiresAt, Instants.Add(now, IntakeRetention)) });
        }

        ScheduleIntakeClock();
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>Lets go of expired records (at most <see cref="MaxPrunedAtOnce"/>); true when more are due.</summary>
    private bool PruneIntake(DateTimeOffset now)
    {
        var expired = _intake.Expired(now, MaxPrunedAtOnce);
        foreach (var record in expired)
        {
            IntakeRemove(record.Key);
        }

        return expired.Count == MaxPrunedAtOnce;
    }

    private void IntakePut(IntakeRecord record)
    {
        var previous = _intake.Put(record);
        _changes.Intake.Add(new IntakeChange(record.Key, record));
        OnRollback(() =>
        {
            _intake.Remove(record.Key);
            if (previous is not null)
            {
                _intake.Put(previous);
            }

            ScheduleIntakeClock();
        });
    }

    private void IntakeRemove(string key)
    {
        if (_intake.Remove(key) is not { } removed)
        {
            return;
        }

        _changes.Intake.Add(new IntakeChange(key, null));
        OnRollback(() =>
        {
            _intake.Put(removed);
            ScheduleIntakeClock();
        });
    }

    /// <summary>Keeps one obligation in the heap at the next expiry of a record that may be let go.</summary>
    private void ScheduleIntakeClock()
    {
        _intakeClock ??= new IntakeClock(this);
        if (_intake.NextExpiry is { } due)
        {
            Schedule(_intakeClock, due);
        }
        else
        {
            Unschedule(_intakeClock);
        }
    }

    /// <summary>The next expiry of an intake record, as an obligation in the heap.</summary>
    private sealed class IntakeClock(Evaluator evaluator) : TimedObligation
    {
        public override string Describe() => "pruning the records of alerts received from Alertmanager";

        protected internal override DateTimeOffset? Fire(DateTimeOffset now) =>
            evaluator.PruneIntake(now) ? Instants.Add(now, TimeSpan.FromSeconds(1)) : evaluator._intake.NextExpiry;
    }
}
