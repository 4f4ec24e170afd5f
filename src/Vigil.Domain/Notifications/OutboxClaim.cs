namespace Vigil.Domain.Notifications;

/// <summary>
/// What one claim took for one receiver, in outbox order, and the earliest instant at which another claim for
/// that receiver could find work (a retry falling due, a claim running out), or null when nothing is pending.
/// </summary>
public sealed record OutboxClaim(IReadOnlyList<OutboxEntry> Entries, DateTimeOffset? NextAt)
{
    public static readonly OutboxClaim Nothing = new([], null);
}
