using Vigil.Domain.Breakers;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Gates;
using Vigil.Domain.Notifications;

namespace Vigil.Domain.Commands;

/// <summary>The config file's breakers and gates, at start or on reload: all of them apply, or none.</summary>
public sealed record ApplyConfigPoliciesCommand(IReadOnlyList<BreakerDefinition> Breakers, IReadOnlyList<GateDefinition> Gates)
    : EvaluatorCommand<PolicyApplyResult>
{
    public override string Kind => "config_policies";

    protected internal override PolicyApplyResult ApplyTo(Evaluator evaluator) => evaluator.ApplyConfigPolicies(Breakers, Gates);
}

/// <summary>A whole config (checks — as given, or in the running mode — then breakers and gates) as one atomic command: a reload whose breakers or
/// gates conflict leaves the checks untouched too.</summary>
public sealed record ApplyConfigCommand(EvaluatorCommand<ConfigApplyResult> Checks, ApplyConfigPoliciesCommand Policies, Router? Routes = null)
    : EvaluatorCommand<ConfigApplyResult>
{
    public override string Kind => "config_apply";

    protected internal override ConfigApplyResult ApplyTo(Evaluator evaluator)
    {
        var result = Checks.ApplyTo(evaluator);
        Policies.ApplyTo(evaluator);

        // Last: nothing after it can throw, so a refused config leaves the routes' repeat intervals as they were.
        if (Routes is not null)
        {
            evaluator.UseRouter(Routes);
        }

        return result;
    }
}
