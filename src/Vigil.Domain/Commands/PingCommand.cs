using Vigil.Domain.Evaluation;

namespace Vigil.Domain.Commands;

/// <summary>A Healthchecks-compatible ping, validated at the edge.</summary>
public sealed record PingCommand(PingSignal Signal) : EvaluatorCommand<PingOutcome>
{
    public override string Kind => "ping";

    protected internal override PingOutcome ApplyTo(Evaluator evaluator) => evaluator.Ping(Signal);
}
