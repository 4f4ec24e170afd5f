using Vigil.Domain.Audit;
using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;
using Vigil.Domain.Time;

namespace Vigil.Domain.Evaluation;

public sealed partial class Evaluator
{
    /// <summary>How many silences may be pending or active at once. The value is 10,000.</summary>
    public const int MaxSilences = 10_000;

    private readonly Dictionary<Guid, Silence> _silences = [];
    private readonly HashSet<string> _heldBack = new(StringComparer.Ordinal);
    private IReadOnlyList<MaintenanceWindow> _windows = [];
    private MuteClock? _muteClock;

    /// <summary>Silences that are pending or active, by start.</summary>
    public IReadOnlyList<Silence> Silences => [.. _silences.Values.OrderBy(s => s.StartsAt).ThenBy(s => s.Id)];

    public IReadOnlyList<MaintenanceWindow> MaintenanceWindows => _windows;

    /// <summary>Loads a persisted silence; one that has ended is ignored.</summary>
    public void LoadSilence(Silence silence)
    {
        if (silence.Until > Now)
        {
            _silences[silence.Id] = silence;
            ScheduleMuteClock();
        }
    }

    /// <summary>Replaces the config's recurring maintenance windows (at start and on reload).</summary>
    public void SetMaintenanceWindows(IReadOnlyList<MaintenanceWindow> windows)
    {
        BeforeMutesChange();
        _windows = windows;
        ScheduleMuteClock();
        ReleaseHeldBack(Now);
    }

    public SilenceResult AddSilence(Silence silence)
    {
        if (_silences.Count >= MaxSilences)
        {
            return SilenceResult.LimitReached;
        }

        BeforeMutesChange();
        _silences[silence.Id] = silence;
        _changes.Silences.Add(silence);
        _changes.Audit.Add(SilenceAudit(AuditActions.SilenceAdd, silence, silence.CreatedBy, Now));
        ScheduleMuteClock();
        return SilenceResult.Added;
    }

    /// <summary>Ends a silence now; what it held back is sent if still owed. Null when no such silence is pending or active.</summary>
    public Silence? ExpireSilence(Guid id, string? by)
    {
        if (!_silences.ContainsKey(id))
        {
            return null;
        }

        BeforeMutesChange();
        var silence = _silences[id];
        _silences.Remove(id);

        var now = Now;
        var expired = silence with { ExpiredAt = now < silence.StartsAt ? silence.StartsAt : now, ExpiredBy = by };
        _changes.Silences.Add(expired);
        _changes.Audit.Add(SilenceAudit(AuditActions.SilenceExpire, expired, by, now));
        ScheduleMuteClock();
        ReleaseHeldBack(now);
        return expired;
    }

    /// <summary>The target names the silence (its id, to find it with <c>GET /api/v1/silences</c>) and what it
    /// matches, so the audit log reads on its own after the silence is long gone.</summary>
    private static AuditEntry SilenceAudit(string action, Silence silence, string? by, DateTimeOffset at) => new()
    {
        At = at,
        Key = by ?? AuditActions.Vigil,
        Action = action,
        Target = $"silence {silence.Id} ({silence.Match.Describe()})",
        Reason = silence.Reason,
    };

    /// <summary>Why a change of <paramref name="e"/>'s alert must not be sent now, or null when it may.</summary>
    private string? Muted(CheckEntry e, Severity severity, DateTimeOffset now)
    {
        foreach (var dependency in e.Definition.DependsOn)
        {
            if (_byName.TryGetValue(dependency, out var d) && d.State.Status == CheckStatus.Down)
            {
                return $"muted: it depends on {dependency}, which is down";
            }
        }

        foreach (var silence in _silences.Values)
        {
            if (silence.ActiveAt(now) && silence.Match.Matches(e.Definition, severity))
            {
                return $"silenced until {Timestamps.Format(silence.Until)}: {silence.Reason}";
            }
        }

        foreach (var window in _windows)
        {
            if (window.Match.Matches(e.Definition, severity) && window.WindowAt(now) is { } open)
            {
                return $"in a maintenance window until {Timestamps.Format(open.End)}" + (window.Reason is { } reason ? $": {reason}" : "");
            }
        }

        return null;
    }

    private void HoldBack(CheckEntry e, AlertState alert, string why)
    {
        alert.HeldBack = why;
        if (!_heldBack.Contains(e.Definition.Name))
        {
            BeforeHeldBackChange();
            _heldBack.Add(e.Definition.Name);
        }
    }

    /// <summary>A mute ended (a silence or window closed, a dependency came back): send what is still owed to
    /// every check that had something held back, if nothing mutes it any more.</summary>
    /// <param name="now">The instant the mute ended.</param>
    /// <param name="dependency">When given, only checks that depend on it are looked at.</param>
    private void ReleaseHeldBack(DateTimeOffset now, string? dependency = null)
    {
        if (dependency is null)
        {
            ReleaseHeldIntake(now);
        }

        if (_heldBack.Count == 0)
        {
            return;
        }

        BeforeHeldBackChange();
        foreach (var name in _heldBack.ToList())
        {
            if (Lookup(name) is not { } entry)
            {
                _heldBack.Remove(name);
                continue;
            }

            if (dependency is not null && !entry.Definition.DependsOn.Contains(dependency))
            {
                continue;
            }

            ReconcileNotifications(entry, now);
            if (!entry.State.Alerts.Values.Any(a => a.HeldBack is not null))
            {
                _heldBack.Remove(name);
            }

            Touch(entry);
        }
    }

    /// <summary>Keeps one obligation in the heap at the next instant a mute ends.</summary>
    private void ScheduleMuteClock()
    {
        var now = Now;
        var ended = _silences.Values.Where(s => s.Until <= now).ToList();
        if (ended.Count > 0)
        {
            BeforeMutesChange();
            foreach (var silence in ended)
            {
                _silences.Remove(silence.Id);
            }
        }

        DateTimeOffset? next = null;
        foreach (var end in _silences.Values.Select(s => s.Until).Concat(_windows.Select(w => w.NextEndAfter(now)).OfType<DateTimeOffset>()))
        {
            if (next is null || end < next) next = end;
        }

        _muteClock ??= new MuteClock(this);
        if (next is { } due)
        {
            Schedule(_muteClock, due);
        }
        else
        {
            Unschedule(_muteClock);
        }
    }

    /// <summary>The end of the next silence or maintenance window, as an obligation in the heap.</summary>
    private sealed class MuteClock(Evaluator evaluator) : TimedObligation
    {
        public override string Describe() => "the end of a silence or maintenance window";

        protected internal override DateTimeOffset? Fire(DateTimeOffset now)
        {
            evaluator.ReleaseHeldBack(now);
            evaluator.ScheduleMuteClock();
            return Scheduled ? Due : null;
        }
    }
}

public enum SilenceResult { Added, LimitReached }
