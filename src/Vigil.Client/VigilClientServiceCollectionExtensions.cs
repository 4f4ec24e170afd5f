using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vigil.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="VigilClient"/> with <see cref="IServiceCollection"/>.</summary>
public static class VigilClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="VigilClient"/> as a typed HttpClient of <c>IHttpClientFactory</c>, configured by
    /// <paramref name="configure"/> (unset values from <c>VIGIL_URL</c> and <c>VIGIL_API_KEY</c>). Its pipeline
    /// (Microsoft.Extensions.Http.Resilience) times out every attempt after
    /// <see cref="VigilClientOptions.Timeout"/> and retries, with jittered backoff, only calls a repeat cannot
    /// harm: reads, and lease renew and release (they carry a token). The client's lease renewals run on the
    /// registered <see cref="TimeProvider"/> (<see cref="TimeProvider.System"/> unless one is registered).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets <see cref="VigilClientOptions"/>; may be null to use the environment only.</param>
    /// <returns>The HttpClient builder, to add handlers of your own.</returns>
    public static IHttpClientBuilder AddVigilClient(this IServiceCollection services, Action<VigilClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<VigilClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.Timeout > TimeSpan.Zero, "VigilClientOptions.Timeout must be positive")
            .Validate(o => o.MaxRetries >= 0, "VigilClientOptions.MaxRetries must be 0 or more");
        services.TryAddSingleton(TimeProvider.System);

        var client = services
            .AddHttpClient<VigilClient, VigilClient>((HttpClient http, IServiceProvider provider) =>
            {
                // The pipeline owns every timeout (on the injected clock); HttpClient's own 100 s would only race it.
                http.Timeout = Timeout.InfiniteTimeSpan;
                return new VigilClient(
                    http,
                    provider.GetRequiredService<IOptions<VigilClientOptions>>().Value,
                    provider.GetService<ILoggerFactory>()?.CreateLogger<VigilClient>(),
                    provider.GetRequiredService<TimeProvider>());
            })
            .AddHttpMessageHandler(() => new TimeoutAsCancellationHandler());
        client.AddResilienceHandler("vigil", (builder, context) =>
        {
            var o = context.ServiceProvider.GetRequiredService<IOptions<VigilClientOptions>>().Value;
            VigilHttpPipeline.Configure(builder, o.Timeout, o.MaxRetries);
        });
        return client;
    }
}
