using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;

namespace Vigil.Server.Engine;

/// <summary>Turns a batch's notifications into outbox rows, one per receiver its routes name, in the same
/// transaction as their cause. A notification no route sends anywhere is recorded as such, never dropped silently.</summary>
internal sealed class OutboxFanOut(Entropy entropy, ILogger log)
{
    public void Route(Changes changes, Router router, DateTimeOffset now)
    {
        foreach (var notification in changes.Notifications)
        {
            var receivers = router.ReceiversFor(notification);
            if (notification.FailingReceiver is { } failing)
            {
                // delivery_failing goes to receivers that still work: never the failing one, else the one that took over.
                receivers = [.. receivers.Where(r => r != failing)];
                if (receivers.Count == 0 && notification.WorkingReceiver is { } working)
                {
                    receivers = [working];
                }
            }

            if (receivers.Count == 0)
            {
                // Nobody will be told: say so where people look.
                Log.NotificationUnrouted(log, notification.Alert, notification.State, notification.Check ?? "vigil", EventTypes.NotificationUnrouted);
                if (notification.Check is { } check)
                {
                    changes.Events.Add(new CheckEvent
                    {
                        Check = check,
                        At = now,
                        Type = EventTypes.NotificationUnrouted,
                        Reason = $"no route sends the {notification.Alert} {notification.State} notification to a receiver",
                    });
                }
            }

            foreach (var receiver in receivers)
            {
                changes.Outbox.Add(new OutboxEntry
                {
                    Id = entropy.NewId(now),
                    NotificationId = notification.Id,
                    Receiver = receiver,
                    Notification = notification,
                    CreatedAt = now,
                    NextAttemptAt = now,
                    Group = router.GroupFor(notification, receiver),
                });
            }
        }
    }
}
