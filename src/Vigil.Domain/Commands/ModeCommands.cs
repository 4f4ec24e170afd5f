using Vigil.Domain.Evaluation;
using Vigil.Domain.Modes;

namespace Vigil.Domain.Commands;

/// <summary>The config file's checks in the mode that should run, with its maintenance windows when given: at start
/// and on reload, all of it applies or none.</summary>
public sealed record ApplyModesCommand(ModeSet Modes, IReadOnlyList<Notifications.MaintenanceWindow>? Windows = null)
    : EvaluatorCommand<ConfigApplyResult>
{
    public override string Kind => "config_apply";

    protected internal override ConfigApplyResult ApplyTo(Evaluator evaluator)
    {
        var result = evaluator.ApplyModes(Modes);
        if (Windows is not null)
        {
            evaluator.SetMaintenanceWindows(Windows);
        }

        return result;
    }
}

/// <summary>Switch the running mode (<c>PUT /api/v1/mode</c>); <see cref="By"/> is the key's name.</summary>
public sealed record ChangeModeCommand(string Mode, string Reason, string? By) : EvaluatorCommand<ModeChangeResult>
{
    public override string Kind => "mode_change";

    protected internal override ModeChangeResult ApplyTo(Evaluator evaluator) => evaluator.ChangeMode(Mode, Reason, By);
}
