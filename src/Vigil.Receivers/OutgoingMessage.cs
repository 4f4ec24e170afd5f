using Vigil.Domain.Notifications;

namespace Vigil.Receivers;

/// <summary>
/// What one delivery to one receiver carries: a single alert, or a group/digest of several (firing and resolved
/// may be mixed). The <see cref="IdempotencyKey"/> is the same over every retry of this message, so a receiver
/// that deduplicates (webhook <c>Idempotency-Key</c>, email <c>Message-ID</c>) sees it once.
/// </summary>
public sealed record OutgoingMessage
{
    public OutgoingMessage(string idempotencyKey, string receiver, IReadOnlyList<Notification> notifications)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(receiver);
        ArgumentNullException.ThrowIfNull(notifications);
        if (notifications.Count == 0)
        {
            throw new ArgumentException("a message carries at least one notification", nameof(notifications));
        }

        IdempotencyKey = idempotencyKey;
        Receiver = receiver;
        Notifications = notifications;
    }

    public string IdempotencyKey { get; }

    /// <summary>The configured receiver's name.</summary>
    public string Receiver { get; }

    /// <summary>Never empty, in the order people should read them.</summary>
    public IReadOnlyList<Notification> Notifications { get; }

    /// <summary>The group these alerts belong to, when a route grouped them (Alertmanager's <c>groupKey</c>).</summary>
    public string? GroupKey { get; init; }

    /// <summary>How many alerts of the group did not fit into this message; they are listed at <see cref="ListUrl"/>.</summary>
    public int Omitted { get; init; }

    /// <summary>Where the full list lives (dashboard or API), when some alerts were omitted.</summary>
    public string? ListUrl { get; init; }

    /// <summary><c>server.public_url</c>, for links to the dashboard; null when not configured.</summary>
    public string? PublicUrl { get; init; }

    /// <summary>True when the message speaks of more than one alert.</summary>
    public bool IsDigest => Notifications.Count > 1 || Omitted > 0;

    /// <summary>One outbox row as a message of its own: today's one-alert-per-delivery path.</summary>
    public static OutgoingMessage Single(OutboxEntry entry, string? publicUrl = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new OutgoingMessage(entry.IdempotencyKey, entry.Receiver, [entry.Notification]) { PublicUrl = publicUrl };
    }

    /// <summary>The dashboard page of a check, or null without a public URL.</summary>
    public string? CheckUrl(string? check) =>
        PublicUrl is null || check is null ? null : $"{PublicUrl.TrimEnd('/')}/checks/{Uri.EscapeDataString(check)}";
}
