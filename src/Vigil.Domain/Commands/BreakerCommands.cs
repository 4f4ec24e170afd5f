using Vigil.Domain.Breakers;
using Vigil.Domain.Evaluation;

namespace Vigil.Domain.Commands;

/// <summary>A permit that may change the breaker: asked only when it is half-open (or its cooldown just ended);
/// a closed breaker's permit is answered from the read model without entering the writer.</summary>
public sealed record BreakerPermitCommand(string Breaker, string Holder) : EvaluatorCommand<PermitResult>
{
    public override string Kind => "breaker_permit";

    protected internal override PermitResult ApplyTo(Evaluator evaluator) => evaluator.BreakerPermit(Breaker, Holder);
}

public sealed record BreakerReportCommand(string Breaker, BreakerOutcome Outcome, string? ProbeToken, string? Error) : EvaluatorCommand<ReportResult>
{
    public override string Kind => "breaker_report";

    protected internal override ReportResult ApplyTo(Evaluator evaluator) => evaluator.BreakerReport(Breaker, Outcome, ProbeToken, Error);
}

/// <summary>An operator's override with its reason; <see cref="By"/> is the API key's name, for the audit log.</summary>
public sealed record ForceBreakerCommand(string Breaker, BreakerForce Force, string Reason, string By) : EvaluatorCommand<ForceResult>
{
    public override string Kind => "breaker_force";

    protected internal override ForceResult ApplyTo(Evaluator evaluator) => evaluator.ForceBreaker(Breaker, Force, Reason, By);
}
