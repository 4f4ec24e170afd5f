using Vigil.Domain.Audit;
using Vigil.Domain.Breakers;
using Vigil.Domain.Checks;
using Vigil.Domain.Gates;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;
using Vigil.Domain.Security;

namespace Vigil.Domain.Persistence;

/// <summary>
/// The durable log of Vigil's live state, in the domain's terms. SQLite and PostgreSQL implement it and pass
/// one contract test suite. The evaluator's writer loop is the only caller of <see cref="CommitAsync"/>;
/// the outbox claims are taken by dispatchers concurrently and must be safe alongside it, and atomic between
/// dispatchers.
/// </summary>
public interface IVigilStore : IAsyncDisposable
{
    /// <summary>What this store can do, declared rather than discovered.</summary>
    StoreCapabilities Capabilities { get; }

    /// <summary>A sentence naming the store for logs and errors, without secrets.</summary>
    string Describe();

    /// <summary>Opens the store, creating and migrating its schema. Throws <see cref="StoreUnavailableException"/>
    /// with a sentence an operator can act on when it cannot.</summary>
    Task OpenAsync(CancellationToken ct);

    Task<StoredState> LoadAsync(CancellationToken ct);

    /// <summary>Writes one batch in one transaction; returns only once it is durable.</summary>
    Task CommitAsync(Changes changes, CancellationToken ct);

    /// <summary>Cheap round trip for readiness.</summary>
    Task PingAsync(CancellationToken ct);

    Task<IReadOnlyList<RunRecord>> GetRunsAsync(string check, int limit, CancellationToken ct);
    Task<RunRecord?> GetRunAsync(string check, Guid rid, CancellationToken ct);
    Task<IReadOnlyList<CheckEvent>> GetEventsAsync(string check, int limit, DateTimeOffset? since, CancellationToken ct);

    /// <summary>
    /// Claims, atomically, up to <paramref name="max"/> rows of <paramref name="receiver"/> for <paramref name="owner"/>
    /// until <paramref name="until"/>: pending rows that are due at <paramref name="now"/>, not under a live claim
    /// (none, or one that ran out), and at the head of their line, i.e. with no earlier pending row for the same
    /// receiver and check (<see cref="OutboxEntry.CheckKey"/>). So a <c>resolved</c> is never handed out while its
    /// <c>firing</c> is still owed, and two owners never hold the same row while their claims are live. Outcomes
    /// come back as <see cref="Changes.OutboxMarks"/>.
    /// </summary>
    Task<OutboxClaim> ClaimOutboxAsync(string receiver, string owner, DateTimeOffset now, DateTimeOffset until, int max, CancellationToken ct);

    /// <summary>Ends every claim. Only for a store that is <see cref="StoreCapabilities.SingleNode"/>, at start, when
    /// no other dispatcher can be running: claims left by a process that died are stale. Returns how many ended.</summary>
    Task<int> ReleaseAllOutboxClaimsAsync(CancellationToken ct);

    /// <summary>The receivers that pending rows are owed to.</summary>
    Task<IReadOnlyList<string>> GetOutboxReceiversAsync(CancellationToken ct);

    /// <summary>The newest deliveries (outbox rows), of one check or of all when <paramref name="check"/> is null.</summary>
    /// <summary>Deliveries, newest first: of one check, of one digest (the rows sent in one message), or all.</summary>
    Task<IReadOnlyList<Notifications.DeliveryRecord>> GetDeliveriesAsync(string? check, string? digest, int limit, CancellationToken ct);

    /// <summary>Fixes the digest (the message and its idempotency key) of rows <paramref name="owner"/> has claimed,
    /// before the first attempt, so every retry, after a restart too, sends the same rows under the same key.
    /// Returns how many rows took it.</summary>
    Task<int> AssignDigestAsync(string owner, string digest, IReadOnlyList<Guid> rows, CancellationToken ct);

    /// <summary>Gives up the pending rows of a receiver (kept, not deleted, with <paramref name="reason"/>): they are no
    /// longer pending, claimed or retried. Returns how many rows were abandoned.</summary>
    Task<int> AbandonOutboxAsync(string receiver, DateTimeOffset at, string reason, CancellationToken ct);

    /// <summary>Count of pending rows and the creation time of the oldest, for metrics and health.</summary>
    Task<(int Pending, DateTimeOffset? Oldest, DateTimeOffset? NextAttemptAt)> GetOutboxStatsAsync(CancellationToken ct);

    /// <summary>The audit log, newest first, from <paramref name="since"/> on when given.</summary>
    Task<IReadOnlyList<AuditEntry>> GetAuditAsync(int limit, DateTimeOffset? since, CancellationToken ct);

    /// <summary>Removes audit entries older than <paramref name="before"/>, oldest first, at most <paramref name="max"/>
    /// of them (bounded work per call: the caller asks again while a call removes <paramref name="max"/>). Returns
    /// how many were removed.</summary>
    Task<int> PruneAuditAsync(DateTimeOffset before, int max, CancellationToken ct);

    Task SaveKeyAsync(ApiKey key, CancellationToken ct);
    Task<bool> RevokeKeyAsync(string name, DateTimeOffset at, CancellationToken ct);
}

/// <summary>What a store supports; PostgreSQL will add row locking for several nodes. <paramref name="SingleNode"/>:
/// one process owns the store (SQLite), so at start every outbox claim found is a dead process's and may be released.</summary>
public sealed record StoreCapabilities(string Kind, bool SkipLocked, bool AdvisoryLocks, bool SingleNode);

/// <summary>Everything loaded at start: the whole live state goes into memory.</summary>
public sealed record StoredState(
    IReadOnlyList<(CheckDefinition Definition, CheckState State)> Checks,
    IReadOnlyList<ApiKey> Keys,
    DateTimeOffset? LastAliveAt,
    long FencingHighWater = 0)
{
    /// <summary>Silences that have not ended yet.</summary>
    public IReadOnlyList<Silence> Silences { get; init; } = [];

    /// <summary>The mode last chosen through the API (<c>PUT /api/v1/mode</c>), or null.</summary>
    public string? Mode { get; init; }
    public IReadOnlyList<(BreakerDefinition Definition, BreakerState State)> Breakers { get; init; } = [];
    public IReadOnlyList<(GateDefinition Definition, GateState State)> Gates { get; init; } = [];
    /// <summary>Every record of the alert intake (Alertmanager deduplication), expired ones included: the evaluator
    /// prunes them.</summary>
    public IReadOnlyList<Intake.IntakeRecord> AlertIntake { get; init; } = [];
}

public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
