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

    /// <summary>How long the first alert of a new group waits for others to join it (config key <c>group_wait</c>).
    /// Zero here and in the config's default: the first alert goes at once.</summary>
    public TimeSpan GroupWait { get; init; }

    /// <summary>After a group's message, how long the alerts that arrive next wait to be sent together (config key
    /// <c>group_interval</c>). Zero here (every alert as soon as it is due, as code that builds routes expects);
    /// the config's default is <see cref="DefaultGroupInterval"/>.</summary>
    public TimeSpan GroupInterval { get; init; }

    /// <summary>How often an alert that keeps firing is sent again (config key <c>repeat_interval</c>); null here: never
    /// (the config's default is <see cref="DefaultRepeatInterval"/>).</summary>
    public TimeSpan? RepeatInterval { get; init; }

    /// <summary>The config's <c>repeat_interval</c> when none is given.</summary>
    public static readonly TimeSpan DefaultRepeatInterval = TimeSpan.FromHours(4);

    /// <summary>The config's <c>group_interval</c> when none is given.</summary>
    public static readonly TimeSpan DefaultGroupInterval = TimeSpan.FromSeconds(30);

    public bool Matches(Notification n) =>
        (MatchCheck is null || CheckPattern.Matches(MatchCheck, n.Check))
        && (MatchSeverity is null || MatchSeverity == n.Severity)
        && (Alerts.Count == 0 || Alerts.Contains(n.Alert))
        && MatchTags.All(n.Tags.Contains);
}
