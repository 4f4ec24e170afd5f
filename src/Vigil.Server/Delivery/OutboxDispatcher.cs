using Vigil.Domain.Notifications;
using Vigil.Domain.Persistence;
using Vigil.Server.Engine;

namespace Vigil.Server.Delivery;

/// <summary>
/// Delivers what the writer loop put in the outbox, at least once. Rows stay pending until a receiver
/// accepts them, so a crash mid-delivery means a redelivery after restart, with the same idempotency key.
/// Delivery never blocks evaluation: this loop only reads the outbox and records attempts.
/// </summary>
internal sealed class OutboxDispatcher(
    IVigilStore store,
    ReceiverRegistry receivers,
    Backoff backoff,
    OutboxSignal signal,
    TimeProvider time,
    ILogger<OutboxDispatcher> log) : BackgroundService
{
    /// <summary>How long the dispatcher sleeps when nothing is due and nothing wakes it.</summary>
    public static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(5);

    private const int BatchSize = 256;
    private const int Parallelism = 16;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var due = await store.GetDueOutboxAsync(time.GetUtcNow(), BatchSize, stoppingToken).ConfigureAwait(false);
                if (due.Count > 0)
                {
                    await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = stoppingToken },
                        async (entry, ct) => await DeliverAsync(entry, ct).ConfigureAwait(false)).ConfigureAwait(false);
                    if (due.Count == BatchSize)
                    {
                        continue;
                    }
                }

                var stats = await store.GetOutboxStatsAsync(stoppingToken).ConfigureAwait(false);
                var wait = IdleWait;
                if (stats.NextAttemptAt is { } next)
                {
                    var until = next - time.GetUtcNow();
                    wait = until < TimeSpan.Zero ? TimeSpan.Zero : until < wait ? until : wait;
                }

                if (wait > TimeSpan.Zero)
                {
                    await signal.WaitAsync(wait, time, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The store is unavailable: nothing is lost (rows stay pending); try again shortly.
                Log.DispatcherFailed(log, ex);
                await signal.WaitAsync(IdleWait, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task DeliverAsync(OutboxEntry entry, CancellationToken ct)
    {
        var receiver = receivers.Find(entry.Receiver);
        var result = receiver is null
            ? Receivers.DeliveryResult.Failed($"no receiver named '{entry.Receiver}' is configured")
            : await receiver.DeliverAsync(Receivers.OutgoingMessage.Single(entry, receivers.PublicUrl), ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        if (result.Delivered)
        {
            await store.MarkDeliveredAsync(entry.Id, now, ct).ConfigureAwait(false);
            Log.Delivered(log, entry.Notification.Alert, entry.Notification.State, entry.Notification.Check ?? "vigil", entry.Receiver, entry.Attempts + 1);
            return;
        }

        var attempts = entry.Attempts + 1;
        var delay = backoff.Next(attempts, result.RetryAfter);
        await store.MarkAttemptFailedAsync(entry.Id, attempts, now + delay, result.Error ?? "failed", ct).ConfigureAwait(false);
        Log.DeliveryFailed(log, entry.Receiver, attempts, result.Error ?? "failed", delay);
    }
}
