using Vigil.Domain.Checks;

namespace Vigil.Domain.Evaluation;

public enum PingKind { Success, Fail, Start, Log }

/// <summary>A Healthchecks-style ping, already validated at the edge and timestamped by Vigil on arrival.</summary>
public sealed record PingSignal
{
    public string? Name { get; init; }
    public Guid? Uuid { get; init; }
    public required PingKind Kind { get; init; }
    public int? ExitStatus { get; init; }
    public Guid? Rid { get; init; }
    public string? Body { get; init; }
    public bool BodyTruncated { get; init; }
    public DateTimeOffset? DataTs { get; init; }

    /// <summary>Set for a spooled signal delivered late: when the client says it happened.</summary>
    public DateTimeOffset? ReportedAt { get; init; }

    /// <summary>With <c>?create=1</c>: the definition to create a missing check with.</summary>
    public CheckDefinition? CreateWith { get; init; }
}

/// <summary><see cref="LimitReached"/>: a <c>?create=1</c> ping for a missing check when <c>ping.auto_create.limit</c> checks exist.
/// <see cref="ProbeCheck"/>: the check is a probe, which Vigil measures itself and which accepts no pings.</summary>
public enum PingOutcome { Ok, Created, NotFound, LimitReached, ProbeCheck }

/// <summary>What became of a probe result: <see cref="Stale"/> when it no longer answers the run in flight (the
/// check was paused, redefined or restarted since), which changes nothing.</summary>
public enum ProbeResultOutcome { Applied, Stale, NotFound }

public enum LeaseOutcome { Success, Fail }

public sealed record LeaseGrant(string Token, long FencingToken, DateTimeOffset ExpiresAt, Guid Rid);

public enum AcquireStatus { Granted, Held, NotFound, NotHeartbeat }

public sealed record AcquireResult(AcquireStatus Status, LeaseGrant? Grant = null, IReadOnlyList<HeldLease>? Holders = null);

public enum LeaseCallStatus { Ok, Gone, NotFound }

public sealed record RenewResult(LeaseCallStatus Status, DateTimeOffset? ExpiresAt = null);

public enum UpsertStatus { Created, Replaced, ManagedByConfig, UuidTaken, LimitReached }

public enum DeleteStatus { Deleted, NotFound, ManagedByConfig }

/// <summary>What applying the config file's checks did.</summary>
public sealed record ConfigApplyResult(int Declared, int Created, int Changed, int Removed);

/// <summary>The config's set of checks cannot be applied as a whole; nothing of it was.</summary>
public sealed class ConfigConflictException(IReadOnlyList<string> problems)
    : Exception("the new configuration cannot be applied: " + string.Join("; ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
