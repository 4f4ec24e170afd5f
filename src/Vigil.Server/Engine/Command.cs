using Vigil.Domain.Commands;
using Vigil.Domain.Evaluation;

namespace Vigil.Server.Engine;

/// <summary>A command waiting for the writer loop, with the request that waits for its answer. It completes
/// only after the batch it belongs to is durable (and published to the read model).</summary>
internal abstract class PendingCommand
{
    public abstract EvaluatorCommand Command { get; }

    /// <summary>Set when applying the command threw something other than an expected refusal: a bug, logged as critical.</summary>
    public Exception? Bug { get; protected set; }

    /// <summary>True once applied without an error; a failed reload swaps nothing.</summary>
    public bool Succeeded { get; protected set; }

    /// <summary>For a reload: the routing to use from this batch on, and what to swap in once it is durable.</summary>
    public ConfigSwap? Swap { get; init; }

    public abstract void Execute(Evaluator evaluator);

    public abstract void Complete();

    public abstract void Fail(Exception error);
}

internal sealed class PendingCommand<T>(EvaluatorCommand<T> command) : PendingCommand
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;
    private Exception? _error;

    public override EvaluatorCommand Command => command;

    public Task<T> Task => _completion.Task;

    public override void Execute(Evaluator evaluator)
    {
        try
        {
            _result = evaluator.Execute(command);
            Succeeded = true;
        }
        catch (ConfigConflictException ex)
        {
            _error = ex;
        }
        catch (Exception ex)
        {
            // Rolled back by the evaluator; the request sees a 500 that says Vigil is broken, the rest of the batch goes on.
            _error = ex;
            Bug = ex;
        }
    }

    public override void Complete()
    {
        if (_error is not null)
        {
            _completion.TrySetException(_error);
        }
        else
        {
            _completion.TrySetResult(_result!);
        }
    }

    public override void Fail(Exception error) => _completion.TrySetException(error);
}
