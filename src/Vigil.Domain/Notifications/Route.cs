using Vigil.Domain.Checks;

namespace Vigil.Domain.Notifications;

/// <summary>Which alerts go to which receivers. An empty match matches everything; <see cref="MatchCheck"/> is a
/// name or a glob (<see cref="CheckPattern"/>); <see cref="Alerts"/> are alert kinds (config key <c>alert</c>).</summary>
public sealed record Route
{
    public string? MatchCheck { get; init; }
    public IReadOnlyList<string> MatchTags { get; init; } = [];
    public Severity? MatchSeverity { get; init; }
    public IReadOnlyList<string> Alerts { get; init; } = [];
    public required IReadOnlyList<string> Receivers { get; init; }
    public bool Continue { get; init; }

    /// <summary>Tried in order, instead of the primary, once a row to a primary receiver has failed its retries for
    /// a bounded time (config key <c>failover</c>).</summary>
    public IReadOnlyList<string> Failover { get; init; } = [];

    public bool Matches(Notification n) =>
        (MatchCheck is null || CheckPattern.Matches(MatchCheck, n.Check))
        && (MatchSeverity is null || MatchSeverity == n.Severity)
        && (Alerts.Count == 0 || Alerts.Contains(n.Alert))
        && MatchTags.All(n.Tags.Contains);
}
