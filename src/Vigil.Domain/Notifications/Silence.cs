namespace Vigil.Domain.Notifications;

/// <summary>
/// A one-off silence made through the API: matching alerts are not sent between <see cref="StartsAt"/> and
/// <see cref="EndsAt"/> (or until expired by hand). Notifications held back by it are owed, not dropped: what
/// still needs telling when it ends is sent then.
/// </summary>
public sealed record Silence
{
    public required Guid Id { get; init; }
    public required AlertMatcher Match { get; init; }
    public required DateTimeOffset StartsAt { get; init; }
    public required DateTimeOffset EndsAt { get; init; }
    public required string Reason { get; init; }
    public string? CreatedBy { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Set when someone ended it early.</summary>
    public DateTimeOffset? ExpiredAt { get; init; }
    public string? ExpiredBy { get; init; }

    /// <summary>When it stops muting: its end, or when it was expired.</summary>
    public DateTimeOffset Until => ExpiredAt is { } expired && expired < EndsAt ? expired : EndsAt;

    public bool ActiveAt(DateTimeOffset instant) => StartsAt <= instant && instant < Until;

    public string State(DateTimeOffset now) => now < StartsAt ? "pending" : now < Until ? "active" : "expired";
}
