using Vigil.Domain.Evaluation;
using Vigil.Domain.Security;

namespace Vigil.Domain.Commands;

/// <summary>An API key created through the API, committed with its audit entry.</summary>
public sealed record CreateKeyCommand(ApiKey Key, string By) : EvaluatorCommand<bool>
{
    public override string Kind => "key_create";

    protected internal override bool ApplyTo(Evaluator evaluator)
    {
        evaluator.CreateKey(Key, By);
        return true;
    }
}

public sealed record RevokeKeyCommand(string Name, string By) : EvaluatorCommand<bool>
{
    public override string Kind => "key_revoke";

    protected internal override bool ApplyTo(Evaluator evaluator)
    {
        evaluator.RevokeKey(Name, By);
        return true;
    }
}
