namespace Vigil.Domain.Notifications;

/// <summary>Routes are tried in order; the first match wins unless it says <c>continue</c>.</summary>
public sealed class Router(IReadOnlyList<Route> routes)
{
    public static readonly Router None = new([]);

    public IReadOnlyList<Route> Routes { get; } = routes;

    public IReadOnlyList<string> ReceiversFor(Notification notification)
    {
        var receivers = new List<string>();
        foreach (var route in Routes)
        {
            if (!route.Matches(notification))
            {
                continue;
            }

            foreach (var receiver in route.Receivers)
            {
                if (!receivers.Contains(receiver))
                {
                    receivers.Add(receiver);
                }
            }

            if (!route.Continue)
            {
                break;
            }
        }

        return receivers;
    }

    /// <summary>The failover receivers, in order, of the routes that send <paramref name="notification"/> to
    /// <paramref name="receiver"/> (the same routes <see cref="ReceiversFor"/> walks): who to try when that receiver
    /// keeps failing.</summary>
    public IReadOnlyList<string> FailoverFor(Notification notification, string receiver)
    {
        var failover = new List<string>();
        foreach (var route in Routes)
        {
            if (!route.Matches(notification))
            {
                continue;
            }

            if (route.Receivers.Contains(receiver))
            {
                failover.AddRange(route.Failover.Where(f => f != receiver && !failover.Contains(f)));
            }

            if (!route.Continue)
            {
                break;
            }
        }

        return failover;
    }

    /// <summary>The group a row of <paramref name="notification"/> to <paramref name="receiver"/> joins: that of the
    /// first route (in the order <see cref="ReceiversFor"/> walks) that sends it there.</summary>
    public DeliveryGroup GroupFor(Notification notification, string receiver)
    {
        for (var i = 0; i < Routes.Count; i++)
        {
            var route = Routes[i];
            if (!route.Matches(notification))
            {
                continue;
            }

            if (route.Receivers.Contains(receiver))
            {
                return new DeliveryGroup(DeliveryGroup.RouteKey(i), route.GroupWait, route.GroupInterval);
            }

            if (!route.Continue)
            {
                break;
            }
        }

        return DeliveryGroup.None;
    }

    /// <summary>The longest a row may wait in its group: what a claim must outlast.</summary>
    public TimeSpan LongestGroupDelay => Routes.Count == 0 ? TimeSpan.Zero : Routes.Max(r => r.GroupWait > r.GroupInterval ? r.GroupWait : r.GroupInterval);

    /// <summary>How often <paramref name="notification"/>'s alert is sent again while it keeps firing: the shortest
    /// <c>repeat_interval</c> of the routes that send it (the same walk as <see cref="ReceiversFor"/>), or null when
    /// none of them repeats.</summary>
    public TimeSpan? RepeatFor(Notification notification)
    {
        TimeSpan? shortest = null;
        foreach (var route in Routes)
        {
            if (!route.Matches(notification))
            {
                continue;
            }

            if (route.RepeatInterval is { } every && every > TimeSpan.Zero && (shortest is null || every < shortest))
            {
                shortest = every;
            }

            if (!route.Continue)
            {
                break;
            }
        }

        return shortest;
    }
}
