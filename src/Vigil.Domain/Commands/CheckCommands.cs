using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;

namespace Vigil.Domain.Commands;

/// <summary>Create or replace a check through the API.</summary>
public sealed record UpsertCheckCommand(CheckDefinition Definition) : EvaluatorCommand<UpsertStatus>
{
    public override string Kind => "check_upsert";

    protected internal override UpsertStatus ApplyTo(Evaluator evaluator) => evaluator.Upsert(Definition);
}

public sealed record DeleteCheckCommand(string Check) : EvaluatorCommand<DeleteStatus>
{
    public override string Kind => "check_delete";

    protected internal override DeleteStatus ApplyTo(Evaluator evaluator) => evaluator.Delete(Check);
}

/// <summary>Pause (<see cref="Pause"/> true) or resume a check; false when it does not exist.</summary>
public sealed record PauseCheckCommand(string Check, bool Pause, string Reason = "paused") : EvaluatorCommand<bool>
{
    public override string Kind => Pause ? "check_pause" : "check_resume";

    protected internal override bool ApplyTo(Evaluator evaluator) => Pause ? evaluator.Pause(Check, Reason) : evaluator.Resume(Check);
}

/// <summary>The config file's checks (and maintenance windows, when given), at start or on reload: all of it
/// applies, or none.</summary>
public sealed record ApplyConfigChecksCommand(IReadOnlyList<CheckDefinition> Checks, IReadOnlyList<Notifications.MaintenanceWindow>? Windows = null)
    : EvaluatorCommand<ConfigApplyResult>
{
    public override string Kind => "config_apply";

    protected internal override ConfigApplyResult ApplyTo(Evaluator evaluator)
    {
        var result = evaluator.ApplyConfigChecks(Checks);
        if (Windows is not null)
        {
            evaluator.SetMaintenanceWindows(Windows);
        }

        return result;
    }
}
