using Vigil.Domain.Checks;

namespace Vigil.Domain.Notifications;

/// <summary>Which alerts a silence is about: every given condition must hold; an empty matcher matches all.
/// <see cref="Check"/> is a name or a glob.</summary>
public sealed record AlertMatcher
{
    public static readonly AlertMatcher All = new();

    public string? Check { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public Severity? Severity { get; init; }

    public bool Matches(CheckDefinition check, Severity severity) =>
        (Check is null || CheckPattern.Matches(Check, check.Name))
        && (Severity is null || Severity == severity)
        && Tags.All(check.Tags.Contains);

    /// <summary>For a notification that belongs to no check (an alert from Alertmanager): a matcher that names a check
    /// never matches it; severity and tags do.</summary>
    public bool Matches(Notification notification) =>
        (Check is null || CheckPattern.Matches(Check, notification.Check))
        && (Severity is null || Severity == notification.Severity)
        && Tags.All(notification.Tags.Contains);

    public string Describe()
    {
        var parts = new List<string>();
        if (Check is not null) parts.Add($"check {Check}");
        if (Tags.Count > 0) parts.Add($"tags {string.Join(", ", Tags)}");
        if (Severity is { } s) parts.Add($"severity {s.Text()}");
        return parts.Count == 0 ? "every alert" : string.Join(" and ", parts);
    }
}
