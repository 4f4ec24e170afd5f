using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;
using Vigil.Domain.Time;

namespace Vigil.Domain.Intake;

/// <summary>
/// An alert that another system (Prometheus Alertmanager) sent to Vigil, as the integration read it. The evaluator
/// turns each new alert state into a <see cref="Notification"/> that goes through the same routes, silences and
/// outbox as Vigil's own. One alert state is one <see cref="Fingerprint"/> (the sender's label-set hash), one
/// <see cref="StartsAt"/> and firing or resolved: a retried or repeated delivery of it is the same <see cref="Key"/>.
/// </summary>
public sealed record IncomingAlert
{
    public required string Fingerprint { get; init; }
    public required bool Resolved { get; init; }
    public required DateTimeOffset StartsAt { get; init; }

    /// <summary>When a resolved alert ended; null while firing.</summary>
    public DateTimeOffset? EndsAt { get; init; }

    /// <summary>The alert kind routes match with <c>alert</c>: Alertmanager's <c>alertname</c> label.</summary>
    public required string Alert { get; init; }
    public required Severity Severity { get; init; }
    public required string Reason { get; init; }
    public string? Description { get; init; }
    public string? Runbook { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public string State => Resolved ? Notification.Resolved : Notification.Firing;

    /// <summary>The deduplication key of this alert state.</summary>
    public string Key => KeyOf(Fingerprint, StartsAt, State);

    /// <summary>The key of the firing state this alert state belongs to (itself when firing).</summary>
    public string FiringKey => KeyOf(Fingerprint, StartsAt, Notification.Firing);

    /// <summary><c>alertmanager:{fingerprint}:{startsAt}:{firing|resolved}</c>; every tick of the start counts.</summary>
    public static string KeyOf(string fingerprint, DateTimeOffset startsAt, string state) =>
        $"alertmanager:{fingerprint}:{Timestamps.Format(startsAt)}:{state}";

    /// <summary>The notification people get for this alert state, received at <paramref name="now"/>.</summary>
    public Notification ToNotification(Guid id, DateTimeOffset now) => new()
    {
        Id = id,
        Alert = Alert,
        State = State,
        Severity = Severity,
        Reason = Reason,
        At = Resolved ? EndsAt ?? now : now,
        Since = StartsAt,
        Description = Description,
        Runbook = Runbook,
        Tags = Tags,
        Labels = Labels,
    };
}
