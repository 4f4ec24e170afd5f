using System.Threading.Channels;
using Vigil.Domain.Notifications;

namespace Vigil.Server.Delivery;

/// <summary>
/// Collects the delivery outcomes of every lane and records them in batches: while one batch is being
/// committed by the writer, the next accumulates (group commit, no timer), so a burst of deliveries costs a
/// few transactions rather than one each. The queue needs no bound of its own: a lane holds at most
/// <see cref="DispatcherOptions.MaxInFlight"/> + <see cref="DispatcherOptions.Queue"/> rows until their
/// outcomes are recorded, so at most that many outcomes per lane wait here.
/// </summary>
internal sealed class MarkBatcher(IDeliveryRecorder recorder, int maxPerRecord, ILogger log)
{
    private readonly Channel<(OutboxMark Mark, DeliveryLane Lane)> _pending =
        Channel.CreateUnbounded<(OutboxMark, DeliveryLane)>(new UnboundedChannelOptions { SingleReader = true });

    public void Post(OutboxMark mark, DeliveryLane lane)
    {
        if (!_pending.Writer.TryWrite((mark, lane)))
        {
            // Stopped: the row keeps its claim until it runs out (or the next start releases it) and is delivered again.
            lane.Recorded([mark.OutboxId]);
        }
    }

    /// <summary>No more outcomes: <see cref="RunAsync"/> records what is queued and ends.</summary>
    public void Complete() => _pending.Writer.TryComplete();

    public async Task RunAsync()
    {
        var reader = _pending.Reader;
        var batch = new List<(OutboxMark Mark, DeliveryLane Lane)>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < maxPerRecord && reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            try
            {
                await recorder.RecordAsync([.. batch.Select(b => b.Mark)], CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Nothing is lost: the rows stay pending under a claim that runs out, then are delivered again with the
                // same idempotency key.
                Log.RecordFailed(log, ex, batch.Count);
            }

            foreach (var lane in batch.GroupBy(b => b.Lane))
            {
                lane.Key.Recorded([.. lane.Select(b => b.Mark.OutboxId)]);
            }
        }
    }
}
