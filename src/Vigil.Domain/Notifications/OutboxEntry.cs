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

    /// <summary>The same for every attempt at every receiver: the notification's id.</summary>
    public string IdempotencyKey => NotificationId.ToString();
}
