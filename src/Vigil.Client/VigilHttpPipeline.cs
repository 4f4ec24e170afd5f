using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace Vigil.Client;

/// <summary>
/// The client's own resilience: a timeout on every attempt, and bounded retries with jittered backoff only
/// for calls a repeat cannot harm (reads; lease renew and release, which carry a token and are idempotent).
/// A ping or an acquire is never repeated: if the first reached Vigil and only the answer was lost, a repeat
/// would count a second signal or take a second slot of the check's concurrency.
/// </summary>
internal static class VigilHttpPipeline
{
    /// <summary>The first retry's delay; later ones double, with jitter.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>Caps a server's Retry-After so that a retried call stays bounded.</summary>
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, TimeSpan timeout, int maxRetries)
    {
        if (maxRetries > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = maxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = RetryDelay,
                MaxDelay = MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    IsRepeatable(args.Outcome.Result?.RequestMessage ?? args.Context.GetRequestMessage()) && IsTransient(args.Outcome)),
            });
        }

        if (timeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(timeout);
        }
    }

    /// <summary>An HttpClient for a client built without IHttpClientFactory, with the same pipeline.</summary>
    public static HttpClient CreateHttpClient(TimeSpan timeout, int maxRetries, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        Configure(builder, timeout, maxRetries);
#pragma warning disable CA2000 // The handlers are owned by the HttpClient (disposeHandler: true).
        var handler = new TimeoutAsCancellationHandler
        {
            InnerHandler = new ResilienceHandler(builder.Build()) { InnerHandler = new SocketsHttpHandler() },
        };
#pragma warning restore CA2000
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    internal static bool IsRepeatable(HttpRequestMessage? request)
    {
        if (request is null)
        {
            return false;
        }

        var path = request.RequestUri?.AbsolutePath ?? "";
        if (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head)
        {
            // A GET or HEAD ping is still a signal, however safe the method looks.
            return !path.Contains("/ping/", StringComparison.Ordinal);
        }

        return request.Method == HttpMethod.Post
            && path.Contains("/api/v1/checks/", StringComparison.Ordinal)
            && (path.EndsWith("/lease/renew", StringComparison.Ordinal) || path.EndsWith("/lease/release", StringComparison.Ordinal));
    }

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is HttpRequestException or TimeoutRejectedException
        || outcome.Result?.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;
}

/// <summary>
/// Turns the pipeline's <see cref="TimeoutRejectedException"/> into what HttpClient throws for its own
/// timeout (a <see cref="TaskCanceledException"/> with a <see cref="TimeoutException"/> inside), so every
/// caller of <see cref="VigilClient"/> sees one kind of "no answer in time": <see cref="VigilUnreachableException"/>.
/// </summary>
internal sealed class TimeoutAsCancellationHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new TaskCanceledException($"Vigil did not answer within {ex.Timeout.TotalSeconds:0.###}s", new TimeoutException(ex.Message, ex));
        }
    }
}
