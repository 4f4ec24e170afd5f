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
}
