using Vigil.Domain.Evaluation;

namespace Vigil.Server.Engine;

/// <summary>A unit of work for the writer loop. It runs on the loop, and completes only after the batch
/// it belongs to is durable.</summary>
internal abstract class Command
{
    public abstract void Execute(Evaluator evaluator);

    public abstract void Complete();

    public abstract void Fail(Exception error);
}

internal sealed class Command<T>(Func<Evaluator, T> action) : Command
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T? _result;
    private Exception? _error;

    public Task<T> Task => _completion.Task;

    public override void Execute(Evaluator evaluator)
    {
        try
        {
            _result = action(evaluator);
        }
        catch (Exception ex)
        {
            // A bug in one command must not take the loop down with it; the caller sees a 500 that says so.
            _error = ex;
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
