using Polly;

namespace Vigil.Client.Polly;

/// <summary>How <see cref="VigilBreakerPipelineBuilderExtensions.AddVigilBreaker{TBuilder}(TBuilder, VigilClient, string, Action{VigilBreakerStrategyOptions}?)"/>
/// asks and reports.</summary>
public sealed class VigilBreakerStrategyOptions : ResilienceStrategyOptions
{
    /// <summary>The strategy's name in Polly's telemetry. The default value is <c>VigilBreaker</c>.</summary>
    public const string DefaultName = "VigilBreaker";

    public VigilBreakerStrategyOptions()
    {
        Name = DefaultName;
    }

    /// <summary>Who asks, as the breaker shows its probe holders. The default value is <c>host:pid</c>.</summary>
    public string Holder { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>What to do when Vigil cannot be reached: true lets the attempt through (and reports nothing),
    /// false refuses it with <see cref="global::Polly.CircuitBreaker.BrokenCircuitException"/>. The default value
    /// is true: a monitoring outage never stops a call by itself.</summary>
    public bool FailOpen { get; set; } = true;

    /// <summary>Which exceptions count as failures of the dependency. The default value counts every exception
    /// except cancellation (a cancelled attempt is not reported at all).</summary>
    public Func<Exception, bool> IsFailure { get; set; } = static ex => ex is not OperationCanceledException;

    /// <summary>Which results count as failures (say, an HTTP 5xx). The default value is null: every result is a success.</summary>
    public Func<object?, bool>? IsFailureResult { get; set; }

    /// <summary>Called when a report could not be delivered (Vigil unreachable or refusing); the attempt's outcome
    /// is returned regardless. The default value is null.</summary>
    public Action<Exception>? OnReportFailed { get; set; }
}
