using Vigil.Domain.Audit;
using Vigil.Domain.Modes;

namespace Vigil.Domain.Evaluation;

/// <summary>
/// Modes: the config file's checks are applied with the running mode's overrides. Which mode runs is decided by
/// <see cref="ModeSet.Resolve"/> (VIGIL_MODE, else the mode chosen through the API, else the file's <c>mode:</c>);
/// a change through the API re-applies the config checks with the new mode's overrides as one atomic command, like
/// a reload, and leaves a <see cref="ModeChanged"/> in the batch for the audit trail.
/// </summary>
public sealed partial class Evaluator
{
    /// <summary>The config's checks and modes as last applied; <see cref="ModeSet.None"/> before any config.</summary>
    public ModeSet Modes { get; private set; } = ModeSet.None;

    /// <summary>The running mode; null when no modes are declared.</summary>
    public string? Mode { get; private set; }

    /// <summary>The mode last chosen through the API (persisted), or null.</summary>
    public string? ChosenMode { get; private set; }

    /// <summary>Restores the mode state as persisted, without recording any change (at load).</summary>
    public void LoadModes(ModeSet modes, string? chosen)
    {
        ArgumentNullException.ThrowIfNull(modes);
        Modes = modes;
        ChosenMode = chosen;
        Mode = modes.Resolve(chosen);
    }

    /// <summary>Applies the config file's checks in the mode that should run (see <see cref="ModeSet.Resolve"/>), as a whole
    /// or not at all. A different running mode than before (the file's <c>mode:</c> changed) is recorded as a mode change.</summary>
    public ConfigApplyResult ApplyModes(ModeSet modes)
    {
        ArgumentNullException.ThrowIfNull(modes);
        var mode = modes.Resolve(ChosenMode);
        var result = ApplyConfigChecks(modes.ChecksIn(mode));

        // Set last: nothing after this can throw, so a refused set leaves the mode as it was.
        var from = Mode;
        Modes = modes;
        Mode = mode;
        if (from is not null && mode is not null && from != mode)
        {
            var why = modes.ForcedByEnvironment ? "VIGIL_MODE selects it" : "the config file's mode: changed";
            RecordModeChange(from, mode, why, by: null);
        }

        return result;
    }

    /// <summary>Switches the running mode at once: the config checks are re-applied with <paramref name="to"/>'s
    /// overrides as a whole (or not at all), and the choice is persisted.</summary>
    public ModeChangeResult ChangeMode(string to, string reason, string? by)
    {
        ArgumentNullException.ThrowIfNull(to);
        if (!Modes.Declares(to))
        {
            return new ModeChangeResult(ModeChangeStatus.NotDeclared, Mode, Mode);
        }

        var from = Mode;
        if (to == from)
        {
            if (ChosenMode != to)
            {
                ChosenMode = to;
                _changes.ChosenMode = to;
            }

            return new ModeChangeResult(ModeChangeStatus.Unchanged, from, to);
        }

        var applied = ApplyConfigChecks(Modes.ChecksIn(to));
        Mode = to;
        ChosenMode = to;
        _changes.ChosenMode = to;
        RecordModeChange(from, to, reason, by);
        return new ModeChangeResult(ModeChangeStatus.Changed, from, to, applied);
    }

    private void RecordModeChange(string? from, string to, string reason, string? by)
    {
        var now = Now;
        _changes.ModeChanged = new ModeChanged(from, to, reason, by, now);
        _changes.Audit.Add(new AuditEntry
        {
            At = now,
            Key = by ?? AuditActions.Vigil,
            Action = AuditActions.ModeChange,
            Target = to,
            Reason = from is null ? reason : $"{reason} (was {from})",
        });
        _changes.Events.Add(new CheckEvent
        {
            Check = "",
            At = now,
            Type = EventTypes.ModeChanged,
            Reason = $"mode {from ?? "(none)"} → {to}{(by is null ? "" : $" by {by}")}: {reason}",
        });
    }
}
