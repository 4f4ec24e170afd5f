namespace Vigil.Domain.Notifications;

/// <summary>One notification owed to one receiver, as the outbox has it now: what the API shows about a delivery.</summary>
public sealed record DeliveryRecord
{
    public required Guid NotificationId { get; init; }
    public required string Receiver { get; init; }
    public string? Check { get; init; }
    public required string Alert { get; init; }
    public required string State { get; init; }

    /// <summary><c>pending</c>, <c>delivered</c> or <c>abandoned</c>.</summary>
    public required string Status { get; init; }
    public required int Attempts { get; init; }
    public string? LastError { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? NextAttemptAt { get; init; }
    public DateTimeOffset? DeliveredAt { get; init; }

    /// <summary>The failover receiver that delivered it, when <see cref="Receiver"/> itself kept failing.</summary>
    public string? Via { get; init; }

    /// <summary>The digest it was sent in (a message of several alerts, whose idempotency key this is), or null when
    /// it went alone.</summary>
    public string? Digest { get; init; }
}
