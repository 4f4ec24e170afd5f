using Vigil.Domain.Persistence;
using Vigil.Server.Engine;

namespace Vigil.Server.Delivery;

/// <summary>
/// Delivers what the writer loop put in the outbox, at least once, in one <see cref="DeliveryLane"/> per
/// receiver. Rows are claimed in the store (so two dispatchers on one store never hold the same row) and stay
/// pending until a receiver accepts them, so a crash mid-delivery means a redelivery after restart, with the
/// same idempotency key. Outcomes go back through the writer in batches (<see cref="IDeliveryRecorder"/>).
/// Delivery never blocks evaluation.
/// </summary>
internal sealed class OutboxDispatcher : BackgroundService
{
    private readonly IVigilStore _store;
    private readonly ReceiverRegistry _receivers;
    private readonly Backoff _backoff;
    private readonly OutboxSignal _signal;
    private readonly TimeProvider _time;
    private readonly DispatcherOptions _options;
    private readonly ILogger<OutboxDispatcher> _log;
    private readonly MarkBatcher _batcher;

    // _sync serializes whole synchronizations (they await lanes stopping and the store); _lock guards the lanes
    // themselves, which readers see through the immutable snapshot.
    private readonly SemaphoreSlim _sync = new(1, 1);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DeliveryLane> _lanes = new(StringComparer.Ordinal);
    private volatile DeliveryLane[] _snapshot = [];
    private CancellationToken _stopping;
    private bool _running;

    public OutboxDispatcher(IVigilStore store, ReceiverRegistry receivers, IDeliveryRecorder recorder, Backoff backoff, OutboxSignal signal,
        TimeProvider time, DispatcherOptions options, ILogger<OutboxDispatcher> log)
    {
        _store = store;
        _receivers = receivers;
        _backoff = backoff;
        _signal = signal;
        _time = time;
        _options = options;
        _log = log;
        _batcher = new MarkBatcher(recorder, options.MaxMarksPerRecord, log);
    }

    /// <summary>Who holds this dispatcher's claims.</summary>
    public string Owner => _options.Owner;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recording = Task.Run(_batcher.RunAsync, CancellationToken.None);
        try
        {
            // Before the first await, so the lanes exist once the host has started.
            lock (_lock)
            {
                _stopping = stoppingToken;
                _running = true;
                AddMissingLanes(new HashSet<string>(_receivers.Names, StringComparer.Ordinal));
            }

            if (_options.ReleaseClaimsAtStart)
            {
                await ReleaseStaleClaimsAsync(stoppingToken).ConfigureAwait(false);
                _signal.Wake();
            }

            await SyncReceiversAsync(stoppingToken).ConfigureAwait(false);
            await Task.Delay(Timeout.InfiniteTimeSpan, _time, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await StopLanesAsync().ConfigureAwait(false);

            // The outcomes of what was delivered before the stop still reach the store (the writer stops after us).
            _batcher.Complete();
            await recording.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Brings the lanes in line with the configured receivers (at start, and after a reload replaced them), and
    /// abandons the pending rows of receivers that are no longer configured: they would otherwise be retried
    /// forever. They are kept, with the reason, and logged.
    /// </summary>
    public async Task SyncReceiversAsync(CancellationToken ct)
    {
        await _sync.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var names = new HashSet<string>(_receivers.Names, StringComparer.Ordinal);
            List<DeliveryLane> gone;
            lock (_lock)
            {
                gone = [.. _lanes.Values.Where(l => !names.Contains(l.Receiver))];
                foreach (var lane in gone)
                {
                    _lanes.Remove(lane.Receiver);
                }

                AddMissingLanes(names);
            }

            await Task.WhenAll(gone.Select(l => l.StopAsync())).ConfigureAwait(false);

            try
            {
                foreach (var receiver in await _store.GetOutboxReceiversAsync(ct).ConfigureAwait(false))
                {
                    if (!names.Contains(receiver))
                    {
                        var rows = await _store.AbandonOutboxAsync(receiver, _time.GetUtcNow(),
                            $"receiver '{receiver}' is no longer configured", ct).ConfigureAwait(false);
                        if (rows > 0)
                        {
                            Log.OutboxAbandoned(_log, receiver, rows);
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The rows stay pending and are abandoned by the next reload or start; nothing is lost.
                Log.DispatcherFailed(_log, ex);
            }
        }
        finally
        {
            _sync.Release();
        }
    }

    /// <summary>Each receiver's lane: its name and, when it keeps failing, since when and why.</summary>
    public IEnumerable<(string Receiver, (DateTimeOffset Since, string Error)? Failing)> Receivers =>
        _snapshot.Select(lane => (lane.Receiver, lane.Failing));

    /// <summary>Completes once every lane has, after this call, looked at the outbox and found nothing it could
    /// deliver now, with nothing in flight and no outcome left to record. For tests that assert that something
    /// was not delivered, and for an orderly drain.</summary>
    public Task WaitIdleAsync(CancellationToken ct) => Task.WhenAll(_snapshot.Select(lane => lane.WhenIdleAsync(ct)));

    /// <summary>Under <see cref="_lock"/>: a started lane for every receiver that has none, once running.</summary>
    private void AddMissingLanes(HashSet<string> names)
    {
        if (!_running)
        {
            return;
        }

        foreach (var name in names.Where(n => !_lanes.ContainsKey(n)))
        {
            var lane = new DeliveryLane(name, _store, _receivers, _backoff, _signal, _time, _options, _batcher, _log);
            _lanes[name] = lane;
            lane.Start(_stopping);
        }

        _snapshot = [.. _lanes.Values];
    }

    private async Task ReleaseStaleClaimsAsync(CancellationToken ct)
    {
        try
        {
            var released = await _store.ReleaseAllOutboxClaimsAsync(ct).ConfigureAwait(false);
            if (released > 0)
            {
                Log.ClaimsReleased(_log, released);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The claims run out by themselves; their rows are only late.
            Log.DispatcherFailed(_log, ex);
        }
    }

    private async Task StopLanesAsync()
    {
        List<DeliveryLane> lanes;
        lock (_lock)
        {
            _running = false;
            lanes = [.. _lanes.Values];
            _lanes.Clear();
            _snapshot = [];
        }

        await Task.WhenAll(lanes.Select(lane => lane.StopAsync())).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _sync.Dispose();
        base.Dispose();
    }
}
