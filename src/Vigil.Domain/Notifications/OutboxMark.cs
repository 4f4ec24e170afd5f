namespace Vigil.Domain.Notifications;

/// <summary>What became of a claimed outbox row.</summary>
public enum OutboxOutcome
{
    /// <summary>The receiver accepted it: the row is done.</summary>
    Delivered,

    /// <summary>The attempt failed: the row waits until its next attempt, and its claim ends.</summary>
    Failed,

    /// <summary>Never attempted (the lane stopped first): the claim ends so the row can be claimed again at once.</summary>
    Released,
}

/// <summary>
/// One delivery outcome, written by the writer's next batch together with everything else, instead of a
/// transaction of its own. <see cref="Owner"/> is the claim it answers: a failure or a release only applies
/// while the row is still claimed by that owner (another dispatcher that took over an expired claim reports
/// its own outcome), while a delivery always applies, because the receiver has it.
/// </summary>
public sealed record OutboxMark
{
    public required Guid OutboxId { get; init; }
    public required string Owner { get; init; }
    public required OutboxOutcome Outcome { get; init; }
    public required DateTimeOffset At { get; init; }

    /// <summary>Attempts made so far, this one included (0 for a release).</summary>
    public int Attempts { get; init; }

    /// <summary>For a failure: when the row may be attempted again.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>For a failure: what went wrong, in a sentence.</summary>
    public string? Error { get; init; }

    /// <summary>For a delivery by a failover receiver: which one (null when the row's own receiver accepted it).</summary>
    public string? Via { get; init; }

    /// <summary>The row's own receiver, named when a failover delivered it (so <c>delivery_failing</c> can say who fails).</summary>
    public string? Receiver { get; init; }

    public static OutboxMark Delivered(Guid outboxId, string owner, DateTimeOffset at, int attempts) =>
        new() { OutboxId = outboxId, Owner = owner, Outcome = OutboxOutcome.Delivered, At = at, Attempts = attempts };

    /// <summary>The row's own receiver failed for too long; <paramref name="via"/> accepted it instead.</summary>
    public static OutboxMark DeliveredVia(Guid outboxId, string owner, DateTimeOffset at, int attempts, string receiver, string via, string error) =>
        new() { OutboxId = outboxId, Owner = owner, Outcome = OutboxOutcome.Delivered, At = at, Attempts = attempts, Receiver = receiver, Via = via, Error = error };

    public static OutboxMark Failed(Guid outboxId, string owner, DateTimeOffset at, int attempts, DateTimeOffset nextAttemptAt, string error) =>
        new() { OutboxId = outboxId, Owner = owner, Outcome = OutboxOutcome.Failed, At = at, Attempts = attempts, NextAttemptAt = nextAttemptAt, Error = error };

    public static OutboxMark Released(Guid outboxId, string owner, DateTimeOffset at) =>
        new() { OutboxId = outboxId, Owner = owner, Outcome = OutboxOutcome.Released, At = at };
}
