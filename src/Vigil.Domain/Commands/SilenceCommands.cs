using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;

namespace Vigil.Domain.Commands;

public sealed record AddSilenceCommand(Silence Silence) : EvaluatorCommand<SilenceResult>
{
    public override string Kind => "silence_add";

    protected internal override SilenceResult ApplyTo(Evaluator evaluator) => evaluator.AddSilence(Silence);
}

/// <summary>Ends a silence now; null when no such silence is pending or active.</summary>
public sealed record ExpireSilenceCommand(Guid Id, string? By) : EvaluatorCommand<Silence?>
{
    public override string Kind => "silence_expire";

    protected internal override Silence? ApplyTo(Evaluator evaluator) => evaluator.ExpireSilence(Id, By);
}
