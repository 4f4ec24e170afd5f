using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;
using Vigil.Domain.Security;

namespace Vigil.Domain.Persistence;

/// <summary>
/// The durable log of Vigil's live state, in the domain's terms. SQLite and PostgreSQL implement it and pass
/// one contract test suite. The evaluator's writer loop is the only caller of <see cref="CommitAsync"/>;
/// the outbox methods are called by the dispatcher concurrently and must be safe to call alongside it.
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

    /// <summary>Pending outbox rows whose next attempt is due, oldest first.</summary>
    Task<IReadOnlyList<OutboxEntry>> GetDueOutboxAsync(DateTimeOffset now, int max, CancellationToken ct);
    Task MarkDeliveredAsync(Guid outboxId, DateTimeOffset at, CancellationToken ct);
    Task MarkAttemptFailedAsync(Guid outboxId, int attempts, DateTimeOffset nextAttemptAt, string error, CancellationToken ct);

    /// <summary>Count of pending rows and the creation time of the oldest, for metrics and health.</summary>
    Task<(int Pending, DateTimeOffset? Oldest, DateTimeOffset? NextAttemptAt)> GetOutboxStatsAsync(CancellationToken ct);

    Task SaveKeyAsync(ApiKey key, CancellationToken ct);
    Task<bool> RevokeKeyAsync(string name, DateTimeOffset at, CancellationToken ct);
}

/// <summary>What a store supports; PostgreSQL will add row locking for several nodes.</summary>
public sealed record StoreCapabilities(string Kind, bool SkipLocked, bool AdvisoryLocks);

/// <summary>Everything loaded at start: the whole live state goes into memory.</summary>
public sealed record StoredState(
    IReadOnlyList<(CheckDefinition Definition, CheckState State)> Checks,
    IReadOnlyList<ApiKey> Keys,
    DateTimeOffset? LastAliveAt,
    long FencingHighWater = 0)
{
    /// <summary>Silences that have not ended yet.</summary>
    public IReadOnlyList<Silence> Silences { get; init; } = [];

    /// <summary>Every record of the alert intake (Alertmanager deduplication), expired ones included: the evaluator
    /// prunes them.</summary>
    public IReadOnlyList<Intake.IntakeRecord> AlertIntake { get; init; } = [];
}

public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
