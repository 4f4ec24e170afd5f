namespace Vigil.Receivers;

/// <summary>How one delivery attempt went. <see cref="RetryAfter"/> carries the receiver's own hint (a 429's
/// Retry-After). <see cref="Error"/> is a sentence naming the receiver and what happened, never a secret.</summary>
public sealed record DeliveryResult(bool Delivered, string? Error = null, TimeSpan? RetryAfter = null)
{
    public static readonly DeliveryResult Ok = new(true);

    public static DeliveryResult Failed(string error, TimeSpan? retryAfter = null) => new(false, error, retryAfter);
}
