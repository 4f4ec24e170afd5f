using Vigil.Domain.Persistence;

namespace Vigil.Server.Engine;

/// <summary>
/// Prunes audit entries older than <c>audit.retention</c>. The audit log lives only in the store (the evaluator keeps
/// none of it in memory), so this loop asks the store directly rather than through the writer: a pass every
/// <see cref="PassInterval"/>, each removing at most <see cref="MaxPerPass"/> entries in one short transaction; a full
/// pass is followed by the next after <see cref="BacklogPause"/>, so a backlog (a retention just shortened) drains
/// without one huge transaction holding the write lock. A failing pass is logged and tried again later; it never
/// stops Vigil.
/// </summary>
internal sealed class AuditRetention(IVigilStore store, TimeProvider time, ServerSettings settings, ILogger<AuditRetention> log) : BackgroundService
{
    /// <summary>How often the audit log is pruned. The default value is 1 hour.</summary>
    public static readonly TimeSpan PassInterval = TimeSpan.FromHours(1);

    /// <summary>The pause between passes while a backlog drains. The default value is 1 second.</summary>
    public static readonly TimeSpan BacklogPause = TimeSpan.FromSeconds(1);

    /// <summary>The pause after a pass that failed. The default value is 1 minute.</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(1);

    /// <summary>The most entries one pass removes. The value is 1,000.</summary>
    public const int MaxPerPass = 1_000;

    private long _retentionTicks = settings.AuditRetention.Ticks;

    /// <summary>Entries older than this are pruned; a config reload changes it for the next pass.</summary>
    public TimeSpan Retention
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _retentionTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _retentionTicks, value.Ticks);
        }
    }

    /// <summary>One pass: removes at most <see cref="MaxPerPass"/> entries older than the retention; returns how many.</summary>
    public async Task<int> PruneOnceAsync(CancellationToken ct)
    {
        var before = time.GetUtcNow() - Retention;
        var removed = await store.PruneAuditAsync(before, MaxPerPass, ct).ConfigureAwait(false);
        if (removed > 0)
        {
            Log.AuditPruned(log, removed, before);
        }

        return removed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan pause;
            try
            {
                pause = await PruneOnceAsync(stoppingToken).ConfigureAwait(false) == MaxPerPass ? BacklogPause : PassInterval;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Supervised: an unreadable or busy store is logged with its cause and tried again; old audit entries
                // staying a little longer is harmless, a dead pruner or a crashed host would not be.
                Log.AuditPruneFailed(log, ex, RetryAfterFailure);
                pause = RetryAfterFailure;
            }

            try
            {
                await Task.Delay(pause, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
