namespace Vigil.Domain.Notifications;

/// <summary>One notification owed to one receiver, written in the same transaction as its cause.</summary>
public sealed record OutboxEntry
{
    public required Guid Id { get; init; }
    public required Guid NotificationId { get; init; }
    public required string Receiver { get; init; }
    public required Notification Notification { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset NextAttemptAt { get; init; }
    public string? LastError { get; init; }

    /// <summary>Position in the outbox, assigned by the store when the row is written (0 before): rows of one
    /// check to one receiver are delivered in this order.</summary>
    public long Sequence { get; init; }

    /// <summary>The group the row joins at its receiver (its route), with that route's timing.</summary>
    public DeliveryGroup Group { get; init; } = DeliveryGroup.None;

    /// <summary>The digest the row was first sent in, fixed before that attempt: retries send the same rows under
    /// this key. Null for a row never sent, or sent alone.</summary>
    public string? Digest { get; init; }

    /// <summary>The ordering key within a receiver: the check's name, or the empty string for notifications
    /// about no check (e.g. <c>vigil_restarted</c>).</summary>
    public string CheckKey => Notification.Check ?? "";

    /// <summary>The same for every attempt at every receiver: the notification's id.</summary>
    public string IdempotencyKey => NotificationId.ToString();
}
