namespace Vigil.Domain.Notifications;

/// <summary>Routes are tried in order; the first match wins unless it says <c>continue</c>. Every question about a
/// notification (its receivers, their failover, its group, its repeat) is answered from the same walk.</summary>
public sealed class Router
{
    public static readonly Router None = new([]);

    public Router(IReadOnlyList<Route> routes)
    {
        Routes = routes;
        LongestGroupDelay = routes.Select(r => r.GroupWait > r.GroupInterval ? r.GroupWait : r.GroupInterval).DefaultIfEmpty().Max();
    }

    public IReadOnlyList<Route> Routes { get; }

    /// <summary>The longest a row may wait in its group: what a claim must outlast.</summary>
    public TimeSpan LongestGroupDelay { get; }

    public IReadOnlyList<string> ReceiversFor(Notification notification) =>
        [.. Walk(notification).SelectMany(w => w.Route.Receivers).Distinct(StringComparer.Ordinal)];

    /// <summary>The failover receivers, in order, of the routes that send <paramref name="notification"/> to
    /// <paramref name="receiver"/>: who to try when that receiver keeps failing.</summary>
    public IReadOnlyList<string> FailoverFor(Notification notification, string receiver) =>
        [.. Walk(notification).Where(w => w.Route.Receivers.Contains(receiver))
            .SelectMany(w => w.Route.Failover).Where(f => f != receiver).Distinct(StringComparer.Ordinal)];

    /// <summary>The group a row of <paramref name="notification"/> to <paramref name="receiver"/> joins: that of the
    /// first route that sends it there.</summary>
    public DeliveryGroup GroupFor(Notification notification, string receiver) =>
        Walk(notification).Where(w => w.Route.Receivers.Contains(receiver))
            .Select(w => new DeliveryGroup(DeliveryGroup.RouteKey(w.Index), w.Route.GroupWait, w.Route.GroupInterval))
            .FirstOrDefault() ?? DeliveryGroup.None;

    /// <summary>How often <paramref name="notification"/>'s alert is sent again while it keeps firing: the shortest
    /// <c>repeat_interval</c> of the routes that send it, or null when none of them repeats.</summary>
    public TimeSpan? RepeatFor(Notification notification) =>
        Walk(notification).Select(w => w.Route.RepeatInterval).Where(r => r > TimeSpan.Zero).Min();

    /// <summary>The routes that take <paramref name="notification"/>, in order: every match up to and including the
    /// first one without <c>continue</c>.</summary>
    private IEnumerable<(int Index, Route Route)> Walk(Notification notification)
    {
        for (var i = 0; i < Routes.Count; i++)
        {
            var route = Routes[i];
            if (!route.Matches(notification))
            {
                continue;
            }

            yield return (i, route);
            if (!route.Continue)
            {
                yield break;
            }
        }
    }
}
