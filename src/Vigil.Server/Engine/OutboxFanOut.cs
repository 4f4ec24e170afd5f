using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;

namespace Vigil.Server.Engine;

/// <summary>Turns a batch's notifications into outbox rows, one per receiver its routes name, in the same
/// transaction as their cause.</summary>
internal sealed class OutboxFanOut(Entropy entropy)
{
    public void Route(Changes changes, Router router, DateTimeOffset now)
    {
        foreach (var notification in changes.Notifications)
        {
            foreach (var receiver in router.ReceiversFor(notification))
            {
                changes.Outbox.Add(new OutboxEntry
                {
                    Id = entropy.NewId(now),
                    NotificationId = notification.Id,
                    Receiver = receiver,
                    Notification = notification,
                    CreatedAt = now,
                    NextAttemptAt = now,
                });
            }
        }
    }
}
