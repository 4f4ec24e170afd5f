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
}
