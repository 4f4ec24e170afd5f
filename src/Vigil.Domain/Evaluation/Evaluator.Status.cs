using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;

namespace Vigil.Domain.Evaluation;

public sealed partial class Evaluator
{
    private void SetStatus(CheckEntry e, CheckStatus status, string reason, DateTimeOffset now)
    {
        var s = e.State;
        if (s.Status == status)
        {
            return;
        }

        var from = s.Status;
        s.Status = status;
        s.StatusSince = now;
        Record(e, EventTypes.Status, $"{from.Text()} → {status.Text()}: {reason}", now);
        if (from == CheckStatus.Down && _heldBack.Count > 0)
        {
            // Checks that depend on this one may have alerts held back because it was down.
            ReleaseHeldBack(now, e.Definition.Name);
        }

        // Flapping counts real flips between healthy and down, not the way through grace: up → grace → up
        // (a job that is routinely a little late) is no flip at all.
        if ((status == CheckStatus.Down && from is CheckStatus.Up or CheckStatus.Grace)
            || (status == CheckStatus.Up && from == CheckStatus.Down))
        {
            CountFlip(e, now);
        }
    }

    private void GoDown(CheckEntry e, string reason, DateTimeOffset now)
    {
        // recover_after counts successes after the check went down, whatever made it go down (a missed
        // deadline, max_runtime, an expired lease), not the ones before.
        e.State.ConsecutiveSuccesses = 0;
        SetStatus(e, CheckStatus.Down, reason, now);
        Fire(e, AlertKind.Down, e.Definition.Severity, reason, now);
    }

    private void GoUp(CheckEntry e, string reason, DateTimeOffset now)
    {
        SetStatus(e, CheckStatus.Up, reason, now);
        Resolve(e, AlertKind.Down, reason, now);
    }

    private void CountFlip(CheckEntry e, DateTimeOffset now)
    {
        var s = e.State;
        var settings = e.Definition.Flapping;
        s.StatusChanges.Add(now);
        s.StatusChanges.RemoveAll(t => t <= now - settings.Window);
        // Bounded: only the count within the window and the last change matter.
        if (s.StatusChanges.Count > settings.Changes + 1)
        {
            s.StatusChanges.RemoveRange(0, s.StatusChanges.Count - settings.Changes - 1);
        }

        if (!s.Flapping && s.StatusChanges.Count > settings.Changes)
        {
            s.Flapping = true;
            Fire(e, AlertKind.Flapping, e.Definition.Severity,
                $"changed status {s.StatusChanges.Count} times within {Time.Durations.Format(settings.Window)}; individual changes are held back until it is stable for that long", now);
        }
    }

    private void Fire(CheckEntry e, string kind, Severity severity, string reason, DateTimeOffset now)
    {
        if (!e.State.Alerts.TryGetValue(kind, out var alert))
        {
            alert = new AlertState();
            e.State.Alerts[kind] = alert;
        }

        if (alert.Firing)
        {
            return;
        }

        alert.Firing = true;
        alert.Since = now;
        alert.Reason = reason;
        alert.Severity = severity;
        Record(e, EventTypes.AlertFiring, $"{kind}: {reason}", now);
        NotifyIfDue(e, kind, alert, now);
    }

    private void Resolve(CheckEntry e, string kind, string reason, DateTimeOffset now)
    {
        if (!e.State.Alerts.TryGetValue(kind, out var alert) || !alert.Firing)
        {
            return;
        }

        alert.Firing = false;
        alert.Reason = reason;
        Record(e, EventTypes.AlertResolved, $"{kind}: {reason}", now);
        NotifyIfDue(e, kind, alert, now);
        if (!alert.Notified && !alert.Firing)
        {
            e.State.Alerts.Remove(kind);
        }
    }

    /// <summary>Tells people about an alert's change unless flapping damping holds it back.</summary>
    private void NotifyIfDue(CheckEntry e, string kind, AlertState alert, DateTimeOffset now)
    {
        if (alert.Notified == alert.Firing)
        {
            alert.HeldBack = null;
            return;
        }

        if (e.State.Flapping && kind is AlertKind.Down or AlertKind.ProbeCritical)
        {
            return;
        }

        if (Muted(e, alert.Severity, now) is { } why)
        {
            HoldBack(e, alert, why);
            return;
        }

        alert.HeldBack = null;

        alert.Notified = alert.Firing;
        _changes.Notifications.Add(NotificationOf(e, kind, alert, now));
        if (alert.Firing)
        {
            alert.NotifiedAt = now;
            ScheduleRepeat(e, kind, alert);
        }
    }

    /// <summary>What people are told about <paramref name="alert"/> now. <paramref name="id"/>: only to ask the routes
    /// about it (no id drawn from the entropy source, so seeded replays stay the same).</summary>
    private Notification NotificationOf(CheckEntry e, string kind, AlertState alert, DateTimeOffset now, Guid? id = null)
    {
        var def = e.Definition;
        return new Notification
        {
            Id = id ?? _entropy.NewId(now),
            Check = def.Name,
            CheckUuid = def.Uuid,
            Alert = kind,
            State = alert.Firing ? Notification.Firing : Notification.Resolved,
            Severity = alert.Severity,
            Status = e.State.Status,
            Reason = alert.Reason,
            At = now,
            Since = alert.Since,
            Runbook = def.Runbook,
            Description = def.Description,
            Tags = def.Tags,
            LastGoodAt = e.State.LastSuccessAt,
        };
    }

    /// <summary>After flapping ends, owe people the current truth of every alert they were told otherwise.</summary>
    private void ReconcileNotifications(CheckEntry e, DateTimeOffset now)
    {
        foreach (var (kind, alert) in e.State.Alerts.ToList())
        {
            NotifyIfDue(e, kind, alert, now);
            if (!alert.Firing && !alert.Notified)
            {
                e.State.Alerts.Remove(kind);
            }
        }
    }
}
