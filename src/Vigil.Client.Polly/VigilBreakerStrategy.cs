using Polly;
using Polly.CircuitBreaker;

namespace Vigil.Client.Polly;

/// <summary>Asks the shared breaker before each attempt and reports after it; refused → BrokenCircuitException.</summary>
internal sealed class VigilBreakerStrategy(VigilBreaker breaker, VigilBreakerStrategyOptions options) : ResilienceStrategy
{
    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback, ResilienceContext context, TState state)
    {
        BreakerPermit permit;
        try
        {
            permit = await breaker.PermitAsync(options.Holder, options.FailOpen, context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (VigilApiException ex) when (ex.Status >= 500)
        {
            // Vigil answered but cannot serve (its writer is busy or stopped): the same choice as unreachable.
            if (!options.FailOpen)
            {
                return Outcome.FromException<TResult>(new BrokenCircuitException($"breaker '{breaker.Name}' could not be asked ({ex.Message}); failing closed", ex));
            }

            return await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        }

        if (!permit.Allowed)
        {
            var message = permit.Unreachable
                ? $"breaker '{breaker.Name}' could not be asked (Vigil unreachable); failing closed"
                : $"the shared breaker '{breaker.Name}' is {permit.State}";
            return Outcome.FromException<TResult>(permit.RetryAfter is { } retryAfter
                ? new BrokenCircuitException(message, retryAfter)
                : new BrokenCircuitException(message));
        }

        var outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        if (permit.Unreachable || (outcome.Exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested))
        {
            return outcome;
        }

        var failed = outcome.Exception is { } exception ? options.IsFailure(exception) : options.IsFailureResult?.Invoke(outcome.Result) == true;
        try
        {
            // Not cancelled with the attempt: a probe's outcome decides the breaker for every process.
            await breaker.ReportAsync(failed ? BreakerOutcome.Failure : BreakerOutcome.Success, permit.ProbeToken,
                failed ? Describe(outcome) : null, CancellationToken.None).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (Exception ex) when (ex is VigilUnreachableException or VigilApiException)
        {
            options.OnReportFailed?.Invoke(ex);
        }

        return outcome;
    }

    private static string Describe<TResult>(Outcome<TResult> outcome) =>
        outcome.Exception is { } ex ? $"{ex.GetType().Name}: {ex.Message}" : $"result {outcome.Result}";
}
