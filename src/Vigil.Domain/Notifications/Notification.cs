using Vigil.Domain.Checks;

namespace Vigil.Domain.Notifications;

/// <summary>An alert transition people must hear about. Its <see cref="Id"/> is the idempotency key every
/// delivery of it carries, so a receiver that deduplicates sees exactly one.</summary>
public sealed record Notification
{
    public required Guid Id { get; init; }
    public string? Check { get; init; }

    /// <summary>The breaker a <c>breaker_open</c> notification is about (such notifications name no check).</summary>
    public string? Breaker { get; init; }
    public Guid? CheckUuid { get; init; }
    public required string Alert { get; init; }

    /// <summary><c>firing</c> or <c>resolved</c>.</summary>
    public required string State { get; init; }
    public required Severity Severity { get; init; }
    public CheckStatus? Status { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset At { get; init; }
    public DateTimeOffset? Since { get; init; }
    public string? Runbook { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The check's last successful signal before this notification, when known: a message tells people
    /// how long the job has really been quiet, which <see cref="Since"/> (when the alert fired) does not.</summary>
    public DateTimeOffset? LastGoodAt { get; init; }

    /// <summary>For <c>delivery_failing</c>: the receiver that keeps failing (it is not sent this notification).</summary>
    public string? FailingReceiver { get; init; }

    /// <summary>For <c>delivery_failing</c>: a receiver known to work (it took over), used when no route names another.</summary>
    public string? WorkingReceiver { get; init; }
    /// <summary>The labels of an alert that came from elsewhere (Alertmanager), kept as they were sent, so a receiver in
    /// Alertmanager's format gets them back unchanged; null for Vigil's own alerts.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    public const string Firing = "firing";
    public const string Resolved = "resolved";
}
