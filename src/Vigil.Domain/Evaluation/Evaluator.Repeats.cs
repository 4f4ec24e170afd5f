using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;
using Vigil.Domain.Time;

namespace Vigil.Domain.Evaluation;

/// <summary>
/// <c>repeat_interval</c>: an alert that keeps firing is sent again every interval of the routes that send it,
/// counted from when people were last told (<see cref="AlertState.NotifiedAt"/>, persisted, so a restart keeps the
/// rhythm). One obligation per firing alert in the deadline heap; it checks what is true when it falls due, so a
/// resolved alert, a deleted check or a rolled-back command leaves nothing to undo. A repeat that falls due while the
/// alert is muted (a silence, a window, a dependency down) or the check flaps is skipped, not owed: the next one counts
/// from then.
/// </summary>
public sealed partial class Evaluator
{
    private readonly Dictionary<(string Check, string Kind), RepeatClock> _repeats = [];
    private Router _router = Router.None;

    /// <summary>The routes the repeat intervals come from. Set at start and with every reload (in its batch); firing
    /// alerts are looked at again, so a repeat interval added or shortened applies at once.</summary>
    public void UseRouter(Router router)
    {
        ArgumentNullException.ThrowIfNull(router);
        _router = router;
        foreach (var entry in _byName.Values)
        {
            foreach (var (kind, alert) in entry.State.Alerts)
            {
                ScheduleRepeat(entry, kind, alert);
            }
        }
    }

    private void ScheduleRepeat(CheckEntry e, string kind, AlertState alert)
    {
        if (NextRepeat(e, kind, alert) is not { } next)
        {
            return;
        }

        var key = (e.Definition.Name, kind);
        if (!_repeats.TryGetValue(key, out var clock))
        {
            _repeats[key] = clock = new RepeatClock(this, e.Definition.Name, kind);
        }

        Schedule(clock, next.Due);
    }

    /// <summary>When the alert is next owed a repeat, and the interval; null when it is not repeated (not firing,
    /// never sent, or no route of it repeats).</summary>
    private (DateTimeOffset Due, TimeSpan Every)? NextRepeat(CheckEntry e, string kind, AlertState alert) =>
        alert is { Firing: true, Notified: true, NotifiedAt: { } told } && RepeatOf(e, kind, alert) is { } every
            ? (Instants.Add(told, every), every)
            : null;

    private TimeSpan? RepeatOf(CheckEntry e, string kind, AlertState alert) =>
        _router.Routes.Count == 0 ? null : _router.RepeatFor(NotificationOf(e, kind, alert, alert.Since, Guid.Empty));

    /// <summary>Sends the alert again if it is still owed a repeat at <paramref name="now"/>; returns when to look next.</summary>
    private DateTimeOffset? Repeat(string check, string kind, DateTimeOffset now)
    {
        if (!_byName.TryGetValue(check, out var e) || !e.State.Alerts.TryGetValue(kind, out var alert)
            || NextRepeat(e, kind, alert) is not var (due, every))
        {
            _repeats.Remove((check, kind));
            return null;
        }

        if (due > now)
        {
            return due;
        }

        if ((e.State.Flapping && kind is AlertKind.Down or AlertKind.ProbeCritical) || Muted(e, alert.Severity, now) is not null)
        {
            return Instants.Add(now, every);
        }

        Enter(e);
        alert.NotifiedAt = now;
        var repeat = NotificationOf(e, kind, alert, now);
        _changes.Notifications.Add(repeat with
        {
            Reason = $"{alert.Reason} (still firing; sent again every {Durations.Format(every)})",
        });
        Record(e, EventTypes.AlertRepeated, $"{kind}: sent again, still firing since {Timestamps.Format(alert.Since)}", now);
        Touch(e);
        return Instants.Add(now, every);
    }

    private sealed class RepeatClock(Evaluator evaluator, string check, string kind) : TimedObligation
    {
        public override string Describe() => $"the next repeat of {check}'s {kind} alert";

        protected internal override DateTimeOffset? Fire(DateTimeOffset now) => evaluator.Repeat(check, kind, now);
    }
}
