using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;
using Vigil.Domain.Persistence;
using Vigil.Domain.Security;

namespace Vigil.Server.Tests.Infrastructure;

/// <summary>The real store with switchable faults, as a disk that fills up or a database that goes away would
/// cause: commits and loads can be made to throw. Everything else passes through.</summary>
internal sealed class FaultyStore(IVigilStore inner) : IVigilStore
{
    /// <summary>How many of the next commits throw; -1 means every one.</summary>
    public int FailCommits { get; set; }

    public bool FailLoads { get; set; }

    /// <summary>Reads of the outbox's figures throw (a database that stopped answering).</summary>
    public bool FailReads { get; set; }

    public int Commits { get; private set; }

    /// <summary>How many notifications each accepted commit carried, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<int> NotificationsPerCommit { get; } = new();

    public StoreCapabilities Capabilities => inner.Capabilities;

    public string Describe() => inner.Describe();

    public Task OpenAsync(CancellationToken ct) => inner.OpenAsync(ct);

    public Task<StoredState> LoadAsync(CancellationToken ct) =>
        FailLoads ? throw new IOException("injected: the store cannot be read") : inner.LoadAsync(ct);

    /// <summary>Per accepted commit, in order: its notifications and the checks its events belong to.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(int Notifications, string[] EventChecks)> CommitLog { get; } = new();

    /// <summary>Per claim, in order: how many rows it asked for and how many it got.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(int Asked, int Got)> Claims { get; } = new();

    private TaskCompletionSource _released = new();
    private int _holdNext;
    private volatile bool _holding;

    /// <summary>The next commit waits until <see cref="Release"/> (a slow disk), with <see cref="Holding"/> true.</summary>
    public void HoldNextCommit()
    {
        _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _holdNext, 1);
    }

    public bool Holding => _holding;

    public void Release() => _released.TrySetResult();

    public async Task CommitAsync(Changes changes, CancellationToken ct)
    {
        if (FailCommits != 0)
        {
            if (FailCommits > 0) FailCommits--;
            throw new IOException("injected: disk full");
        }

        if (Interlocked.Exchange(ref _holdNext, 0) == 1)
        {
            _holding = true;
            await _released.Task.WaitAsync(ct).ConfigureAwait(false);
            _holding = false;
        }

        Commits++;
        NotificationsPerCommit.Enqueue(changes.Notifications.Count);
        CommitLog.Enqueue((changes.Notifications.Count, [.. changes.Events.Select(e => e.Check)]));
        await inner.CommitAsync(changes, ct).ConfigureAwait(false);
    }

    public Task PingAsync(CancellationToken ct) => inner.PingAsync(ct);

    public Task<IReadOnlyList<RunRecord>> GetRunsAsync(string check, int limit, CancellationToken ct) => inner.GetRunsAsync(check, limit, ct);

    public Task<RunRecord?> GetRunAsync(string check, Guid rid, CancellationToken ct) => inner.GetRunAsync(check, rid, ct);

    public Task<IReadOnlyList<CheckEvent>> GetEventsAsync(string check, int limit, DateTimeOffset? since, CancellationToken ct) =>
        inner.GetEventsAsync(check, limit, since, ct);

    public async Task<OutboxClaim> ClaimOutboxAsync(string receiver, string owner, DateTimeOffset now, DateTimeOffset until, int max, CancellationToken ct)
    {
        var claim = await inner.ClaimOutboxAsync(receiver, owner, now, until, max, ct).ConfigureAwait(false);
        Claims.Enqueue((max, claim.Entries.Count));
        return claim;
    }

    public Task<int> ReleaseAllOutboxClaimsAsync(CancellationToken ct) => inner.ReleaseAllOutboxClaimsAsync(ct);

    public Task<IReadOnlyList<string>> GetOutboxReceiversAsync(CancellationToken ct) => inner.GetOutboxReceiversAsync(ct);

    public Task<IReadOnlyList<Domain.Notifications.DeliveryRecord>> GetDeliveriesAsync(string? check, string? digest, int limit, CancellationToken ct) =>
        inner.GetDeliveriesAsync(check, digest, limit, ct);

    public Task<int> AssignDigestAsync(string owner, string digest, IReadOnlyList<Guid> rows, CancellationToken ct) =>
        inner.AssignDigestAsync(owner, digest, rows, ct);

    public Task<int> AbandonOutboxAsync(string receiver, DateTimeOffset at, string reason, CancellationToken ct) =>
        inner.AbandonOutboxAsync(receiver, at, reason, ct);

    public Task<(int Pending, DateTimeOffset? Oldest, DateTimeOffset? NextAttemptAt)> GetOutboxStatsAsync(CancellationToken ct) =>
        FailReads ? throw new IOException("injected: the database does not answer") : inner.GetOutboxStatsAsync(ct);

    public Task<IReadOnlyList<Domain.Audit.AuditEntry>> GetAuditAsync(int limit, DateTimeOffset? since, CancellationToken ct) => inner.GetAuditAsync(limit, since, ct);

    public Task<int> PruneAuditAsync(DateTimeOffset before, int max, CancellationToken ct) => inner.PruneAuditAsync(before, max, ct);

    public Task SaveKeyAsync(ApiKey key, CancellationToken ct) => inner.SaveKeyAsync(key, ct);

    public Task<bool> RevokeKeyAsync(string name, DateTimeOffset at, CancellationToken ct) => inner.RevokeKeyAsync(name, at, ct);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
