namespace Vigil.Server.Engine;

/// <summary>Vigil itself cannot serve the request (store down, writer failed, queue full, shutting down): a 503
/// that says why, with a <c>Retry-After</c> when waiting is the remedy.</summary>
internal sealed class ServiceUnavailableException(string message, TimeSpan? retryAfter = null) : Exception(message)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
