namespace Vigil.Domain.Intake;

public enum IngestOutcome
{
    /// <summary>Every alert was looked at: new states accepted, repeats deduplicated.</summary>
    Done,

    /// <summary>The same <c>Idempotency-Key</c> came with the same payload before: nothing was done again.</summary>
    Replayed,

    /// <summary>The same <c>Idempotency-Key</c> came with a different payload before: refused, nothing done.</summary>
    Conflict,

    /// <summary>The intake holds as many records as it may and none can be let go (all are held back): refused.</summary>
    Full,
}

/// <summary>What an <see cref="Commands.IngestAlertsCommand"/> did. <see cref="Accepted"/> counts new alert states (each
/// a notification, sent now or held back by a silence: <see cref="HeldBack"/>); <see cref="Deduplicated"/> counts alert
/// states seen before.</summary>
public sealed record IngestResult(IngestOutcome Outcome, int Accepted = 0, int Deduplicated = 0, int HeldBack = 0)
{
    /// <summary>For <see cref="IngestOutcome.Replayed"/> and <see cref="IngestOutcome.Conflict"/>: when the key was first used.</summary>
    public DateTimeOffset? FirstSeen { get; init; }
}
