using Vigil.Domain.Evaluation;
using Vigil.Domain.Probes;

namespace Vigil.Domain.Commands;

/// <summary>A probe run's judged result, entering the writer like a ping: <see cref="DueAt"/> and <see cref="Run"/>
/// name the run it answers, <see cref="StartedAt"/> is when the scheduler actually started it.</summary>
public sealed record ProbeResultCommand(string Check, Measurement Measurement, DateTimeOffset DueAt, DateTimeOffset StartedAt, Guid Run)
    : EvaluatorCommand<ProbeResultOutcome>
{
    public ProbeResultCommand(ProbeRequest request, Measurement measurement, DateTimeOffset startedAt)
        : this((request ?? throw new ArgumentNullException(nameof(request))).Check, measurement, request.DueAt, startedAt, request.Run)
    {
    }

    public override string Kind => "probe_result";

    protected internal override ProbeResultOutcome ApplyTo(Evaluator evaluator) => evaluator.ProbeResult(Check, Measurement, DueAt, StartedAt, Run);
}
