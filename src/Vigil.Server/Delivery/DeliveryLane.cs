using System.Threading.Channels;
using Vigil.Domain.Notifications;
using Vigil.Domain.Persistence;
using Vigil.Receivers;
using Vigil.Server.Engine;

namespace Vigil.Server.Delivery;

/// <summary>
/// Delivers the outbox rows of one receiver, so a slow or hanging receiver delays nobody but itself. One claim
/// loop takes due head-of-line rows from the store (a row is at the head when no earlier row for the same
/// receiver and check is pending, so one check's notifications arrive in order, even across retries) into a
/// bounded queue; <see cref="DispatcherOptions.MaxInFlight"/> workers deliver from it. A row stays held by the
/// lane from its claim until its outcome is recorded, and the lane never holds more than
/// <see cref="Capacity"/> rows. A failure of the lane (a receiver throwing, the store refusing a claim) is
/// logged with its cause, and the lane restarts after a short wait that grows while it keeps failing.
/// </summary>
internal sealed class DeliveryLane
{
    private enum RowState
    {
        Queued,
        InFlight,
        Settled,
    }

    private readonly IVigilStore _store;
    private readonly ReceiverRegistry _receivers;
    private readonly Backoff _backoff;
    private readonly OutboxSignal _signal;
    private readonly TimeProvider _time;
    private readonly DispatcherOptions _options;
    private readonly MarkBatcher _batcher;
    private readonly ILogger _log;

    private readonly Lock _lock = new();

    // Every row claimed and not yet recorded: queued, in flight, or with its outcome on its way to the store.
    private readonly Dictionary<Guid, (RowState State, OutboxEntry Entry)> _held = [];
    private readonly List<(long After, TaskCompletionSource Done)> _idleWaiters = [];
    private long _passes;
    private int _faultsInARow;

    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    public DeliveryLane(string receiver, IVigilStore store, ReceiverRegistry receivers, Backoff backoff, OutboxSignal signal,
        TimeProvider time, DispatcherOptions options, MarkBatcher batcher, ILogger log)
    {
        Receiver = receiver;
        _store = store;
        _receivers = receivers;
        _backoff = backoff;
        _signal = signal;
        _time = time;
        _options = options;
        _batcher = batcher;
        _log = log;
    }

    public string Receiver { get; }

    private int Capacity => _options.MaxInFlight + _options.Queue;

    public void Start(CancellationToken dispatcherStopping)
    {
        var stopping = CancellationTokenSource.CreateLinkedTokenSource(dispatcherStopping, _stop.Token);
        _running = Task.Run(async () =>
        {
            using (stopping)
            {
                await SuperviseAsync(stopping.Token).ConfigureAwait(false);
            }
        }, CancellationToken.None);
    }

    /// <summary>Stops the lane: deliveries in flight are cancelled and their rows released.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        _stop.Dispose();
        lock (_lock)
        {
            // A stopped lane has nothing more to do.
            foreach (var (_, done) in _idleWaiters)
            {
                done.TrySetResult();
            }

            _idleWaiters.Clear();
        }
    }

    /// <summary>Completes once a pass of the claim loop that started after this call found nothing to deliver now,
    /// with nothing in flight and no outcome left to record.</summary>
    public Task WhenIdleAsync(CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _idleWaiters.Add((_passes, done));
        }

        _signal.Wake(Receiver);
        return done.Task.WaitAsync(ct);
    }

    /// <summary>The outcomes of these rows are in the store (or could not be written): they are no longer held.</summary>
    public void Recorded(IReadOnlyList<Guid> rows)
    {
        lock (_lock)
        {
            foreach (var row in rows)
            {
                _held.Remove(row);
            }
        }

        // The rows after them in their lines may be due now, and there is room again.
        _signal.Wake(Receiver);
    }

    private async Task SuperviseAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RunAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                var faults = Interlocked.Increment(ref _faultsInARow);
                var delay = TimeSpan.FromTicks(Math.Min(_options.RestartDelay.Ticks << Math.Min(faults - 1, 16), _options.MaxRestartDelay.Ticks));
                Log.LaneFailed(_log, ex, Receiver, delay);
                try
                {
                    await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One life of the lane. The first of its tasks to end ends it: a failure stops the claims and the
    /// idle workers and lets deliveries in flight finish; the rows never started stay held (their claims are
    /// ours) and go first in the next life. Only a stop gives their claims back.</summary>
    private async Task RunAsync(CancellationToken ct)
    {
        using var claiming = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var queue = Channel.CreateBounded<OutboxEntry>(new BoundedChannelOptions(Capacity) { SingleWriter = true });
        lock (_lock)
        {
            foreach (var (_, held) in _held.Where(h => h.Value.State != RowState.Settled).OrderBy(h => h.Value.Entry.Sequence))
            {
                queue.Writer.TryWrite(held.Entry);
            }
        }
        var tasks = new Task[_options.MaxInFlight + 1];
        tasks[0] = ClaimAsync(queue.Writer, claiming.Token);
        for (var i = 1; i < tasks.Length; i++)
        {
            tasks[i] = WorkAsync(queue.Reader, claiming.Token, ct);
        }

        try
        {
            await await Task.WhenAny(tasks).ConfigureAwait(false);
        }
        finally
        {
            await claiming.CancelAsync().ConfigureAwait(false);
            queue.Writer.TryComplete();

            // The first failure is the one reported; the others are its echo (cancellation).
            await Task.WhenAll(tasks).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (ct.IsCancellationRequested)
            {
                ReleaseUnsettled();
            }
        }
    }

    private async Task ClaimAsync(ChannelWriter<OutboxEntry> queue, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();

            // Asked for before looking, so a wake that comes while we look is not lost.
            var wake = _signal.Next(Receiver);
            long pass;
            int room;
            lock (_lock)
            {
                pass = ++_passes;
                room = Capacity - _held.Count;
            }

            var now = _time.GetUtcNow();
            var took = 0;
            DateTimeOffset? nextAt = null;
            if (room > 0)
            {
                var claim = await _store.ClaimOutboxAsync(Receiver, _options.Owner, now, now + _options.ClaimHold, room, ct).ConfigureAwait(false);
                foreach (var entry in claim.Entries)
                {
                    // A claim of ours that ran out (the clock jumped) comes back while we still hold the row: it is in
                    // flight or its outcome is on its way, so it must not be delivered a second time.
                    if (Hold(entry))
                    {
                        if (!queue.TryWrite(entry))
                        {
                            Settle(OutboxMark.Released(entry.Id, _options.Owner, now));
                        }

                        took++;
                    }
                }

                nextAt = claim.NextAt;
            }

            if (took > 0)
            {
                continue;
            }

            CompleteIdleWaiters(pass);

            // Nothing to take now: sleep until a retry falls due or a claim runs out, a wake, or the idle poll. A
            // head that is due but did not fit (no room) waits for room, which comes with a wake; one that the store
            // calls due at the very instant of a claim that took nothing is not trusted, so the lane cannot spin.
            var current = _time.GetUtcNow();
            var wait = _options.IdlePoll;
            if (room > 0 && nextAt is { } next && next > now && next - current < wait)
            {
                wait = next - current;
            }

            if (wait <= TimeSpan.Zero)
            {
                // The clock passed the next instant while we claimed: claim again.
                continue;
            }

            using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var sleep = Task.Delay(wait, _time, timer.Token);

            // The timer counts from when it is armed: if the clock has already passed the instant meant (a fake
            // clock jumps), look again instead of sleeping past it.
            if (_time.GetUtcNow() < current + wait)
            {
                await Task.WhenAny(wake, sleep).ConfigureAwait(false);
            }

            await timer.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task WorkAsync(ChannelReader<OutboxEntry> queue, CancellationToken claiming, CancellationToken ct)
    {
        await foreach (var entry in queue.ReadAllAsync(claiming).ConfigureAwait(false))
        {
            lock (_lock)
            {
                _held[entry.Id] = (RowState.InFlight, entry);
            }

            await DeliverAsync(entry, ct).ConfigureAwait(false);
        }
    }

    private async Task DeliverAsync(OutboxEntry entry, CancellationToken ct)
    {
        var receiver = _receivers.Find(Receiver);
        if (receiver is null)
        {
            // Removed by a reload a moment ago: this lane is being stopped and the row abandoned.
            Settle(OutboxMark.Released(entry.Id, _options.Owner, _time.GetUtcNow()));
            return;
        }

        DeliveryResult result;
        Exception? crash = null;
        try
        {
            result = await receiver.DeliverAsync(OutgoingMessage.Single(entry, _receivers.PublicUrl), ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Receivers report failures as results; an exception is a bug. It counts as a failed attempt (so the row
            // backs off instead of failing again at once), then stops the lane, loudly.
            crash = ex;
            result = DeliveryResult.Failed($"the receiver failed unexpectedly ({ex.GetType().Name}: {ex.Message})");
        }

        var now = _time.GetUtcNow();
        var attempts = entry.Attempts + 1;
        var check = entry.Notification.Check ?? "vigil";
        if (result.Delivered)
        {
            Settle(OutboxMark.Delivered(entry.Id, _options.Owner, now, attempts));
            Interlocked.Exchange(ref _faultsInARow, 0);
            Log.Delivered(_log, entry.Notification.Alert, entry.Notification.State, check, Receiver, attempts);
        }
        else if (await FailOverAsync(entry, result.Error ?? "failed", now, attempts, ct).ConfigureAwait(false))
        {
            Interlocked.Exchange(ref _faultsInARow, 0);
        }
        else
        {
            var error = result.Error ?? "failed";
            var delay = _backoff.Next(attempts, result.RetryAfter);
            Settle(OutboxMark.Failed(entry.Id, _options.Owner, now, attempts, now + delay, error));
            Log.DeliveryFailed(_log, Receiver, attempts, error, delay);
        }

        if (crash is not null)
        {
            throw new InvalidOperationException(
                $"receiver '{Receiver}' threw while delivering {entry.Notification.Alert} {entry.Notification.State} for {check}", crash);
        }
    }

    /// <summary>
    /// Once the row's own receiver has failed for longer than <see cref="DispatcherOptions.FailoverAfter"/> (since the
    /// row was created), every further failure is followed by the route's failover receivers and then the last
    /// resort, in order, with the same message and idempotency key. The first that accepts settles the row as
    /// delivered via that receiver (one row, one recorded path); the writer raises <c>delivery_failing</c> from it.
    /// When all of them fail the row stays the primary's and backs off as usual.
    /// </summary>
    private async Task<bool> FailOverAsync(OutboxEntry entry, string error, DateTimeOffset now, int attempts, CancellationToken ct)
    {
        if (now - entry.CreatedAt < _options.FailoverAfter)
        {
            return false;
        }

        foreach (var via in _receivers.FailoverFor(entry.Notification, Receiver))
        {
            if (_receivers.Find(via) is not { } receiver)
            {
                continue;
            }

            DeliveryResult result;
            try
            {
                result = await receiver.DeliverAsync(OutgoingMessage.Single(entry with { Receiver = via }, _receivers.PublicUrl), ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // Another receiver's bug must not stop this lane: it is one more failover that did not work.
                result = DeliveryResult.Failed($"the receiver failed unexpectedly ({ex.GetType().Name}: {ex.Message})");
            }

            if (result.Delivered)
            {
                Settle(OutboxMark.DeliveredVia(entry.Id, _options.Owner, _time.GetUtcNow(), attempts, Receiver, via, error));
                Log.DeliveredViaFailover(_log, Receiver, entry.CreatedAt, error, entry.Notification.Alert, entry.Notification.State,
                    entry.Notification.Check ?? "vigil", via);
                return true;
            }

            Log.FailoverFailed(_log, via, Receiver, result.Error ?? "failed");
        }

        return false;
    }

    private bool Hold(OutboxEntry entry)
    {
        lock (_lock)
        {
            return _held.TryAdd(entry.Id, (RowState.Queued, entry));
        }
    }

    private void Settle(OutboxMark mark)
    {
        lock (_lock)
        {
            if (_held.TryGetValue(mark.OutboxId, out var held))
            {
                _held[mark.OutboxId] = (RowState.Settled, held.Entry);
            }
        }

        _batcher.Post(mark, this);
    }

    /// <summary>On a stop: rows never started, or cut off, give their claims back at once (this lane will not claim
    /// again, so the release cannot race a claim of its own).</summary>
    private void ReleaseUnsettled()
    {
        List<Guid> unsettled;
        lock (_lock)
        {
            unsettled = [.. _held.Where(h => h.Value.State != RowState.Settled).Select(h => h.Key)];
        }

        var now = _time.GetUtcNow();
        foreach (var row in unsettled)
        {
            Settle(OutboxMark.Released(row, _options.Owner, now));
        }
    }

    private void CompleteIdleWaiters(long pass)
    {
        List<TaskCompletionSource> done = [];
        lock (_lock)
        {
            if (_held.Count > 0)
            {
                return;
            }

            for (var i = _idleWaiters.Count - 1; i >= 0; i--)
            {
                if (_idleWaiters[i].After < pass)
                {
                    done.Add(_idleWaiters[i].Done);
                    _idleWaiters.RemoveAt(i);
                }
            }
        }

        foreach (var waiter in done)
        {
            waiter.TrySetResult();
        }
    }
}
