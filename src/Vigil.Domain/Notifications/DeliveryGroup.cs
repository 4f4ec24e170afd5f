namespace Vigil.Domain.Notifications;

/// <summary>
/// The group an outbox row joins at its receiver: rows of one group are sent together, the first of a new group
/// after <see cref="Wait"/>, later ones no sooner than <see cref="Interval"/> after the group's last message. The
/// group is the route that sent the row to the receiver (all its alerts together, as Alertmanager groups a route
/// without <c>group_by</c>); <see cref="Key"/> names it.
/// </summary>
public sealed record DeliveryGroup(string Key, TimeSpan Wait, TimeSpan Interval)
{
    /// <summary>For rows no route sends (a <c>delivery_failing</c> handed to the receiver that took over): sent as
    /// soon as they are due, alone.</summary>
    public static readonly DeliveryGroup None = new("", TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>The key of the <paramref name="index"/>-th route.</summary>
    public static string RouteKey(int index) => $"route-{index}";
}
