using Polly;

namespace Vigil.Client.Polly;

/// <summary>Adds a breaker that many processes share, kept by Vigil, to a Polly v8 pipeline.</summary>
public static class VigilBreakerPipelineBuilderExtensions
{
    /// <summary>
    /// Before each attempt asks the shared breaker <paramref name="name"/> for a permit, after it reports the
    /// outcome (with the probe token when the permit was a half-open probe). A refusal is Polly's
    /// <see cref="global::Polly.CircuitBreaker.BrokenCircuitException"/> with <c>RetryAfter</c> (none when forced
    /// open), so retries and fallbacks already written for Polly's own breaker handle it.
    /// </summary>
    public static TBuilder AddVigilBreaker<TBuilder>(this TBuilder builder, VigilClient client, string name, Action<VigilBreakerStrategyOptions>? configure = null)
        where TBuilder : ResiliencePipelineBuilderBase
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var options = new VigilBreakerStrategyOptions();
        configure?.Invoke(options);
        var breaker = client.Breaker(name);
        return builder.AddStrategy(_ => new VigilBreakerStrategy(breaker, options), options);
    }

    /// <summary>
    /// As <see cref="AddVigilBreaker{TBuilder}(TBuilder, VigilClient, string, Action{VigilBreakerStrategyOptions}?)"/>,
    /// through one client the process shares, configured from the environment as the <c>vigil</c> CLI is
    /// (<c>VIGIL_URL</c>, <c>VIGIL_API_KEY</c>). Pass a client (from <c>AddVigilClient</c>, say) to choose another.
    /// </summary>
    public static TBuilder AddVigilBreaker<TBuilder>(this TBuilder builder, string name)
        where TBuilder : ResiliencePipelineBuilderBase =>
        builder.AddVigilBreaker(FromEnvironment.Value, name, null);

    /// <summary>As <see cref="AddVigilBreaker{TBuilder}(TBuilder, string)"/>, with the strategy's options.</summary>
    public static TBuilder AddVigilBreaker<TBuilder>(this TBuilder builder, string name, Action<VigilBreakerStrategyOptions> configure)
        where TBuilder : ResiliencePipelineBuilderBase =>
        builder.AddVigilBreaker(FromEnvironment.Value, name, configure);

    // Created on first use, so a process that never asks pays nothing; one HttpClient for the process's lifetime.
    private static readonly Lazy<VigilClient> FromEnvironment = new(() => new VigilClient(new VigilClientOptions()));
}
