using Vigil.Domain.Evaluation;

namespace Vigil.Domain.Commands;

/// <summary>
/// A change the writer loop applies to the evaluator: a small record per kind of signal or action, so the set
/// of state changes is visible, testable and replayable on a fake clock. Applied through
/// <see cref="Evaluator.Execute{TResult}"/>, which makes it atomic.
/// </summary>
public abstract record EvaluatorCommand
{
    /// <summary>A short name for logs and counters.</summary>
    public abstract string Kind { get; }
}

/// <summary>A command with its answer.</summary>
public abstract record EvaluatorCommand<TResult> : EvaluatorCommand
{
    protected internal abstract TResult ApplyTo(Evaluator evaluator);
}
