using Vigil.Domain.Notifications;

namespace Vigil.Configuration;

/// <summary>One entry of <c>routes</c>, with the delivery settings the domain <see cref="Route"/> does not
/// carry. Null durations mean the defaults of <see cref="Route"/> (group_wait 0s, group_interval 30s, repeat_interval 4h).</summary>
public sealed record RouteConfig
{
    public AlertMatch Match { get; init; } = AlertMatch.All;
    public required IReadOnlyList<string> Receivers { get; init; }

    /// <summary>Tried in order when delivery to the primary receivers fails.</summary>
    public IReadOnlyList<string> Failover { get; init; } = [];
    public TimeSpan? GroupWait { get; init; }
    public TimeSpan? GroupInterval { get; init; }
    public TimeSpan? RepeatInterval { get; init; }
    public bool Continue { get; init; }

    public Route ToRoute() => new()
    {
        MatchCheck = Match.Check,
        MatchTags = Match.Tags,
        MatchSeverity = Match.Severity,
        Alerts = Match.Alerts,
        Receivers = Receivers,
        Continue = Continue,
        Failover = Failover,
        GroupWait = GroupWait ?? TimeSpan.Zero,
        GroupInterval = GroupInterval ?? Route.DefaultGroupInterval,
        RepeatInterval = RepeatInterval ?? Route.DefaultRepeatInterval,
    };
}
