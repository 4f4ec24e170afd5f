using System.Threading.Channels;
using Vigil.Domain.Notifications;
using Vigil.Domain.Persistence;
using Vigil.Receivers;
using Vigil.Server.Engine;

namespace Vigil.Server.Delivery;

/// <summary>
/// Delivers the outbox rows of one receiver, so a slow or hanging receiver delays nobody but itself. One claim
/// loop takes due head-of-line rows from the store (a row is at the head when no earlier row for the same
/// receiver and check is pending, so one check's notifications arrive in order, even across retries) into the
/// lane's groups (<see cref="DeliveryGroups"/>: a route's alerts wait for their group's timing and go as one
/// message), and hands the messages that are due, at the receiver's pace (<see cref="RateGate"/>), to a bounded
/// queue; <see cref="DispatcherOptions.MaxInFlight"/> workers deliver from it. A row stays held by the lane from its
/// claim until its outcome is recorded, and the lane never holds more than <see cref="DispatcherOptions.MaxHeld"/>
/// rows. A failure of the lane (a receiver throwing, the store refusing a claim) is logged with its cause, and the
/// lane restarts after a short wait that grows while it keeps failing.
/// </summary>
internal sealed class DeliveryLane
{
    private enum RowState
    {
        /// <summary>In the lane's groups, waiting for its message to be due.</summary>
        Waiting,
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
    private readonly DeliveryGroups _groups = new();
    private readonly RateGate _pace;

    // Messages in the queue, not yet taken by a worker.
    private int _queued;

    // Since when every attempt has failed, and the last error (for health); null while the receiver delivers.
    private (DateTimeOffset Since, string Error)? _failing;
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
        _pace = new RateGate(receivers.LimitFor(receiver), time.GetUtcNow());
    }

    public string Receiver { get; }

    /// <summary>Since when the receiver has failed every attempt, and its last error; null while it delivers.
    /// For health: a receiver that keeps failing is something to look at even while failover covers it.</summary>
    public (DateTimeOffset Since, string Error)? Failing
    {
        get
        {
            lock (_lock)
            {
                return _failing;
            }
        }
    }

    private void Delivered()
    {
        lock (_lock)
        {
            _failing = null;
        }
    }

    private void Failed(DateTimeOffset at, string error)
    {
        lock (_lock)
        {
            _failing = (_failing?.Since ?? at, error);
        }
    }

    /// <summary>Messages waiting for a worker, at most.</summary>
    private int QueueCapacity => _options.MaxInFlight + _options.Queue;

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
        var queue = Channel.CreateBounded<DeliveryBatch>(new BoundedChannelOptions(QueueCapacity) { SingleWriter = true });
        lock (_lock)
        {
            // Messages the last life queued or had in flight go again first, as they were (their digest, if fixed, is
            // on the rows); waiting rows stay in their groups.
            _queued = 0;
            foreach (var id in _held.Where(h => h.Value.State is RowState.Queued or RowState.InFlight).Select(h => h.Key).ToList())
            {
                _held[id] = (RowState.Waiting, _held[id].Entry);
                _groups.Add(_held[id].Entry);
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

    private async Task ClaimAsync(ChannelWriter<DeliveryBatch> queue, CancellationToken ct)
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
                // Rows are held ahead only where they may be folded into a message (grouping, a limit); else no more
                // than the workers can take, so another dispatcher on the same store shares the work.
                var limit = _receivers.LimitFor(Receiver);
                _pace.Configure(limit);
                var holdsAhead = limit is not null || _receivers.Groups(Receiver);
                var capacity = holdsAhead ? _options.MaxHeld : QueueCapacity;
                room = capacity - _held.Count;
                if (!holdsAhead && _queued > 0 && room < capacity / 2)
                {
                    // Refilled in halves while the workers still have messages queued: every claim is a transaction
                    // with its own fsync that the writer's commits queue behind, and refilling a few rows at a time
                    // under a storm took the write lock 37% of the time (200-270 claims/s of 7 rows each, against
                    // 70/s of 38 rows; bench/PROFILE.md, "Storms, sixth session").
                    room = 0;
                }
            }

            var now = _time.GetUtcNow();
            var took = 0;
            DateTimeOffset? nextAt = null;
            if (room > 0)
            {
                // A claim outlasts the longest a row may wait in its group, then the delivery.
                var until = now + _options.ClaimHold + _receivers.LongestGroupDelay;
                var claim = await _store.ClaimOutboxAsync(Receiver, _options.Owner, now, until, room, ct).ConfigureAwait(false);
                foreach (var entry in claim.Entries)
                {
                    // A claim of ours that ran out (the clock jumped) comes back while we still hold the row: it is in
                    // flight or its outcome is on its way, so it must not be delivered a second time.
                    if (Hold(entry))
                    {
                        took++;
                    }
                }

                nextAt = claim.NextAt;
            }

            var sent = Dispatch(queue, now);
            if (took > 0 || sent > 0)
            {
                continue;
            }

            CompleteIdleWaiters(pass);

            // Nothing to take now: sleep until a retry falls due, a claim runs out, a group's message is due or the
            // receiver's pace allows it, a wake, or the idle poll. A head that is due but did not fit (no room) waits
            // for room, which comes with a wake; one that the store calls due at the very instant of a claim that took
            // nothing is not trusted, so the lane cannot spin.
            var current = _time.GetUtcNow();
            var wait = _options.IdlePoll;
            if (room > 0 && nextAt is { } next && next > now && next - current < wait)
            {
                wait = next - current;
            }

            if (NextMessageAt(current) is { } due && due - current < wait)
            {
                wait = due - current;
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

    /// <summary>Hands the messages that are due, as many as the queue has room for and the receiver's pace allows,
    /// to the workers. Returns how many.</summary>
    private int Dispatch(ChannelWriter<DeliveryBatch> queue, DateTimeOffset now)
    {
        lock (_lock)
        {
            var batches = _groups.TakeDue(now, QueueCapacity - _queued, _pace.Available(now));
            if (batches.Count == 0 && _groups.Count == 0)
            {
                _pace.Calm(now);
            }

            foreach (var batch in batches)
            {
                foreach (var entry in batch.Entries)
                {
                    _held[entry.Id] = (RowState.Queued, entry);
                }

                _pace.Take(now);
                _queued++;
                if (!queue.TryWrite(batch))
                {
                    throw new InvalidOperationException($"the delivery queue of {Receiver} was full although it had room");
                }
            }

            return batches.Count;
        }
    }

    /// <summary>When a waiting message could go: its group's time, or later if the receiver's pace says so; null
    /// when nothing waits, or when the queue is full (a worker taking a message wakes the lane).</summary>
    private DateTimeOffset? NextMessageAt(DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_groups.NextDueAt(now) is not { } due || _queued >= QueueCapacity)
            {
                return null;
            }

            var paced = _pace.NextAt(now);
            return paced is { } p && p > due ? p : due;
        }
    }

    private async Task WorkAsync(ChannelReader<DeliveryBatch> queue, CancellationToken claiming, CancellationToken ct)
    {
        await foreach (var batch in queue.ReadAllAsync(claiming).ConfigureAwait(false))
        {
            lock (_lock)
            {
                _queued--;
                foreach (var entry in batch.Entries)
                {
                    _held[entry.Id] = (RowState.InFlight, entry);
                }
            }

            await DeliverAsync(batch, ct).ConfigureAwait(false);
        }
    }

    private async Task DeliverAsync(DeliveryBatch batch, CancellationToken ct)
    {
        var receiver = _receivers.Find(Receiver);
        if (receiver is null)
        {
            // Removed by a reload a moment ago: this lane is being stopped and the rows abandoned.
            foreach (var entry in batch.Entries)
            {
                Settle(OutboxMark.Released(entry.Id, _options.Owner, _time.GetUtcNow()));
            }

            return;
        }

        if (batch.NewDigest)
        {
            // Fixed before the first attempt: if Vigil dies after the receiver took the message but before the outcome
            // is recorded, the message sent again after the restart has the same rows and the same key.
            await _store.AssignDigestAsync(_options.Owner, batch.Key, [.. batch.Entries.Select(e => e.Id)], ct).ConfigureAwait(false);
            batch = batch with { Entries = [.. batch.Entries.Select(e => e with { Digest = batch.Key })], NewDigest = false };
            lock (_lock)
            {
                foreach (var entry in batch.Entries)
                {
                    _held[entry.Id] = (RowState.InFlight, entry);
                }
            }
        }

        DeliveryResult result;
        Exception? crash = null;
        try
        {
            result = await receiver.DeliverAsync(Message(batch, Receiver), ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Receivers report failures as results; an exception is a bug. It counts as a failed attempt (so the rows
            // back off instead of failing again at once), then stops the lane, loudly.
            crash = ex;
            result = DeliveryResult.Failed($"the receiver failed unexpectedly ({ex.GetType().Name}: {ex.Message})");
        }

        var now = _time.GetUtcNow();
        var attempts = batch.Entries.Max(e => e.Attempts) + 1;
        if (result.Delivered)
        {
            foreach (var entry in batch.Entries)
            {
                Settle(OutboxMark.Delivered(entry.Id, _options.Owner, now, entry.Attempts + 1));
            }

            Interlocked.Exchange(ref _faultsInARow, 0);
            Delivered();
            LogDelivered(batch, attempts);
        }
        else
        {
            Failed(now, result.Error ?? "failed");
            if (result.RetryAfter is { } hint && hint > TimeSpan.Zero)
            {
                // The receiver's own "too many": nothing more goes to it before then (what waits joins the next digest).
                lock (_lock)
                {
                    _pace.PauseUntil(now + hint);
                }
            }

            if (await FailOverAsync(batch, result.Error ?? "failed", now, ct).ConfigureAwait(false))
            {
                Interlocked.Exchange(ref _faultsInARow, 0);
            }
            else
            {
                var error = result.Error ?? "failed";
                var delay = _backoff.Next(attempts, result.RetryAfter);
                foreach (var entry in batch.Entries)
                {
                    Settle(OutboxMark.Failed(entry.Id, _options.Owner, now, entry.Attempts + 1, now + delay, error));
                }

                Log.DeliveryFailed(_log, Receiver, attempts, error, delay);
            }
        }

        if (crash is not null)
        {
            var first = batch.Entries[0].Notification;
            throw new InvalidOperationException(
                $"receiver '{Receiver}' threw while delivering {first.Alert} {first.State} for {first.Check ?? "vigil"}" +
                (batch.Entries.Count > 1 ? $" and {batch.Entries.Count - 1} more" : ""), crash);
        }
    }

    /// <summary>The message for <paramref name="to"/>: every alert of the batch up to
    /// <see cref="DispatcherOptions.MaxAlertsPerMessage"/>, the rest counted and linked (the full list of a digest is
    /// <c>GET /api/v1/notifications?digest=KEY</c>).</summary>
    private OutgoingMessage Message(DeliveryBatch batch, string to)
    {
        var shown = batch.Entries.Take(_options.MaxAlertsPerMessage).Select(e => e.Notification).ToList();
        var omitted = batch.Entries.Count - shown.Count;
        var list = $"/api/v1/notifications?digest={Uri.EscapeDataString(batch.Key)}&limit=1000";
        return new OutgoingMessage(batch.Key, to, shown)
        {
            PublicUrl = _receivers.PublicUrl,
            GroupKey = batch.Entries.Count > 1 ? $"{Receiver}/{batch.Entries[0].Group.Key}" : null,
            Omitted = omitted,
            ListUrl = omitted == 0 ? null : _receivers.PublicUrl is { } url ? url.TrimEnd('/') + list : list,
        };
    }

    private void LogDelivered(DeliveryBatch batch, int attempts)
    {
        if (batch.Entries.Count == 1)
        {
            var n = batch.Entries[0].Notification;
            Log.Delivered(_log, n.Alert, n.State, n.Check ?? "vigil", Receiver, attempts);
        }
        else
        {
            Log.DeliveredDigest(_log, batch.Entries.Count, Receiver, batch.Key, attempts);
        }
    }

    /// <summary>
    /// Once the receiver has failed for longer than <see cref="DispatcherOptions.FailoverAfter"/> (since the oldest
    /// row of the message was created), every further failure is followed by the route's failover receivers and then
    /// the last resort, in order, with the same message and idempotency key. The first that accepts settles the rows
    /// as delivered via that receiver (one row, one recorded path); the writer raises <c>delivery_failing</c> from it.
    /// When all of them fail the rows stay the primary's and back off as usual.
    /// </summary>
    private async Task<bool> FailOverAsync(DeliveryBatch batch, string error, DateTimeOffset now, CancellationToken ct)
    {
        var since = batch.CreatedAt;
        if (now - since < _options.FailoverAfter)
        {
            return false;
        }

        var first = batch.Entries[0].Notification;
        foreach (var via in _receivers.FailoverFor(first, Receiver))
        {
            if (_receivers.Find(via) is not { } receiver)
            {
                continue;
            }

            DeliveryResult result;
            try
            {
                result = await receiver.DeliverAsync(Message(batch, via), ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // Another receiver's bug must not stop this lane: it is one more failover that did not work.
                result = DeliveryResult.Failed($"the receiver failed unexpectedly ({ex.GetType().Name}: {ex.Message})");
            }

            if (result.Delivered)
            {
                var at = _time.GetUtcNow();
                foreach (var entry in batch.Entries)
                {
                    Settle(OutboxMark.DeliveredVia(entry.Id, _options.Owner, at, entry.Attempts + 1, Receiver, via, error));
                }

                Log.DeliveredViaFailover(_log, Receiver, since, error, first.Alert, first.State,
                    (first.Check ?? "vigil") + (batch.Entries.Count > 1 ? $" and {batch.Entries.Count - 1} more" : ""), via);
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
            if (!_held.TryAdd(entry.Id, (RowState.Waiting, entry)))
            {
                return false;
            }

            _groups.Add(entry);
            return true;
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
            _groups.Remove(unsettled.ToHashSet());
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
            // Rows waiting for their group's time are not work to wait for: nothing can be delivered now.
            if (_held.Values.Any(h => h.State != RowState.Waiting))
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
