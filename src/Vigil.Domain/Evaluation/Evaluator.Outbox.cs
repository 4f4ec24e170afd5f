using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;

namespace Vigil.Domain.Evaluation;

public sealed partial class Evaluator
{
    /// <summary>How often one failing receiver raises <c>delivery_failing</c> at most: one message says it, a storm
    /// of failed-over rows does not repeat it.</summary>
    public static readonly TimeSpan DeliveryFailingInterval = TimeSpan.FromHours(1);

    // Receiver → when delivery_failing was last raised for it. In memory: after a restart it may be said once more.
    private readonly Dictionary<string, DateTimeOffset> _deliveryFailingRaised = new(StringComparer.Ordinal);

    /// <summary>Adds delivery outcomes to the batch being built, so they are committed with it: the dispatcher's
    /// results cost no transaction of their own. They change no check. A row that a failover receiver delivered
    /// raises <c>delivery_failing</c> (which receiver fails and why) for the receivers that still work.</summary>
    public void RecordDeliveries(IEnumerable<OutboxMark> marks)
    {
        ArgumentNullException.ThrowIfNull(marks);
        foreach (var mark in marks)
        {
            _changes.OutboxMarks.Add(mark);
            if (mark is { Outcome: OutboxOutcome.Delivered, Via: { } via, Receiver: { } receiver })
            {
                RaiseDeliveryFailing(receiver, via, mark.Error ?? "failed");
            }
        }
    }

    private void RaiseDeliveryFailing(string receiver, string via, string error)
    {
        var now = Now;
        if (_deliveryFailingRaised.TryGetValue(receiver, out var last) && now - last < DeliveryFailingInterval)
        {
            return;
        }

        _deliveryFailingRaised[receiver] = now;
        _changes.Notifications.Add(new Notification
        {
            Id = _entropy.NewId(now),
            Alert = AlertKind.DeliveryFailing,
            State = Notification.Firing,
            Severity = Severity.Warning,
            Reason = $"receiver '{receiver}' keeps failing: {error}; its alerts go to '{via}' instead",
            At = now,
            FailingReceiver = receiver,
            WorkingReceiver = via,
        });
    }
}
