using Vigil.Domain.Evaluation;

namespace Vigil.Domain.Commands;

/// <summary>Engage (<see cref="Engage"/> true) or release a gate's kill switch; false when there is no such gate.</summary>
public sealed record KillSwitchCommand(string Gate, bool Engage, string Reason, string By) : EvaluatorCommand<bool>
{
    public override string Kind => Engage ? "gate_kill" : "gate_release";

    protected internal override bool ApplyTo(Evaluator evaluator) => evaluator.SetKillSwitch(Gate, Engage, Reason, By);
}

/// <summary>At every start of Vigil: start_closed gates engage their kill switch.</summary>
public sealed record StartClosedGatesCommand : EvaluatorCommand<int>
{
    public override string Kind => "gates_start";

    protected internal override int ApplyTo(Evaluator evaluator) => evaluator.EngageStartClosedGates();
}
