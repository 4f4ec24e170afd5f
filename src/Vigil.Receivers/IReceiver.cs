using Vigil.Domain.Notifications;

namespace Vigil.Receivers;

/// <summary>A destination for notifications. Implementations know their wire format and their retry hints.</summary>
public interface IReceiver
{
    string Name { get; }

    Task<DeliveryResult> DeliverAsync(OutboxEntry entry, CancellationToken ct);
}

/// <summary>How one delivery attempt went. <see cref="RetryAfter"/> carries the receiver's own hint (a 429's Retry-After).</summary>
public sealed record DeliveryResult(bool Delivered, string? Error = null, TimeSpan? RetryAfter = null)
{
    public static readonly DeliveryResult Ok = new(true);

    public static DeliveryResult Failed(string error, TimeSpan? retryAfter = null) => new(false, error, retryAfter);
}
