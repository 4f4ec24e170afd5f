using Vigil.Domain.Notifications;

namespace Vigil.Domain.Intake;

/// <summary>
/// What the intake remembers so that a retried delivery never makes a second notification: an alert state
/// (<see cref="IncomingAlert.Key"/>) or an <c>Idempotency-Key</c> already accepted. Written in the same transaction as
/// the notification it let through, kept until <see cref="ExpiresAt"/>.
/// </summary>
public sealed record IntakeRecord
{
    public required string Key { get; init; }
    public required DateTimeOffset FirstSeen { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>For an <c>Idempotency-Key</c>: the SHA-256 of the payload it came with, so the same key with another
    /// payload is told apart from a retry.</summary>
    public string? Digest { get; init; }

    /// <summary>The notification a silence or maintenance window is holding back: owed, sent when the mute ends.
    /// A held record is never pruned.</summary>
    public Notification? Held { get; init; }
}
