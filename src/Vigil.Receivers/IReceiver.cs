namespace Vigil.Receivers;

/// <summary>A destination for messages. Implementations know their wire format, their limits and their retry hints.</summary>
public interface IReceiver
{
    string Name { get; }

    Task<DeliveryResult> DeliverAsync(OutgoingMessage message, CancellationToken ct);
}
