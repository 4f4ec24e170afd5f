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

public enum PingOutcome { Ok, Created, NotFound }

public enum LeaseOutcome { Success, Fail }

public sealed record LeaseGrant(string Token, long FencingToken, DateTimeOffset ExpiresAt, Guid Rid);

public enum AcquireStatus { Granted, Held, NotFound, NotHeartbeat }

public sealed record AcquireResult(AcquireStatus Status, LeaseGrant? Grant = null, IReadOnlyList<HeldLease>? Holders = null);

public enum LeaseCallStatus { Ok, Gone, NotFound }

public sealed record RenewResult(LeaseCallStatus Status, DateTimeOffset? ExpiresAt = null);

public enum UpsertStatus { Created, Replaced, ManagedByConfig, UuidTaken }

public enum DeleteStatus { Deleted, NotFound, ManagedByConfig }
