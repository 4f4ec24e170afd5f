using System.Threading.Channels;
using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;
using Vigil.Domain.Persistence;
using Vigil.Server.Delivery;

namespace Vigil.Server.Engine;

/// <summary>
/// The one writer. Commands from HTTP handlers arrive through a channel; the loop drains what is queued,
/// applies it to the evaluator, acts on due deadlines, commits everything in one transaction (group commit),
/// and only then completes the waiting requests. It sleeps until the next deadline or command, on the
/// injected clock, and never scans all checks.
/// </summary>
internal sealed class EvaluatorLoop : IHostedService, IAsyncDisposable, IDeliveryRecorder
{
    /// <summary>The loop wakes at least this often to record that Vigil is watching.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    /// <summary>A gap between two wake-ups longer than this means Vigil was not watching (suspended, or the
    /// wall clock jumped forward).</summary>
    public static readonly TimeSpan BlindSpanThreshold = TimeSpan.FromSeconds(15);

    private const int MaxBatch = 4096;

    private readonly Channel<Command> _commands = Channel.CreateUnbounded<Command>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IVigilStore _store;
    private readonly TimeProvider _time;
    private readonly ServerSettings _settings;
    private Router _router;
    private readonly ILogger<EvaluatorLoop> _log;
    private readonly OutboxSignal _outboxSignal;
    private Evaluator _evaluator;
    private DateTimeOffset _lastWatched;
    private DateTimeOffset _lastAliveWritten;
    private Task? _running;
    private readonly CancellationTokenSource _stopping = new();

    public EvaluatorLoop(IVigilStore store, TimeProvider time, ServerSettings settings, ILogger<EvaluatorLoop> log, OutboxSignal outboxSignal)
    {
        _store = store;
        _time = time;
        _settings = settings;
        _log = log;
        _outboxSignal = outboxSignal;
        _router = new Router(settings.Routes);
        _evaluator = new Evaluator(time, settings.StartupGrace);
    }

    /// <summary>Null while healthy; otherwise why the loop cannot promise durability.</summary>
    public string? Fault { get; private set; }

    public bool Running => _running is { IsCompleted: false };

    public DateTimeOffset LastWatched => _lastWatched;

    /// <summary>Loads the live state, applies the config's checks, and covers the span Vigil was not watching.
    /// Returns what was loaded, so start-up reads the store once.</summary>
    public async Task<StoredState> InitializeAsync(CancellationToken ct)
    {
        var (evaluator, stored) = await LoadEvaluatorAsync(ct).ConfigureAwait(false);
        _evaluator = evaluator;
        ApplyConfigChecks();
        var now = _time.GetUtcNow();
        if (stored.LastAliveAt is { } lastAlive)
        {
            var moved = _evaluator.RecoverBlindSpan(lastAlive, "Vigil was stopped");
            Log.BlindSpan(_log, lastAlive, now, moved);
        }

        await CommitAsync(_evaluator.TakeChanges(), now, ct).ConfigureAwait(false);
        _lastWatched = now;
        Log.Loaded(_log, _evaluator.Count, _store.Describe());
        return stored;
    }

    private void ApplyConfigChecks()
    {
        if (_settings.ChecksFromConfig)
        {
            ApplyConfigChecks(_evaluator, _settings.Checks);
        }
    }

    /// <summary>Upserts the declared checks as config-managed and removes config-managed checks no longer declared.</summary>
    private static int ApplyConfigChecks(Evaluator evaluator, IReadOnlyList<CheckDefinition> checks)
    {
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var definition in checks)
        {
            declared.Add(definition.Name);
            var result = evaluator.Upsert(definition with { ManagedBy = ManagedBy.Config }, fromConfig: true);
            if (result == UpsertStatus.UuidTaken)
            {
                throw new InvalidOperationException($"check '{definition.Name}' pins uuid {definition.Uuid}, which another check already uses");
            }
        }

        var removed = 0;
        foreach (var (definition, _) in evaluator.Checks.ToList())
        {
            if (definition.ManagedBy == ManagedBy.Config && !declared.Contains(definition.Name))
            {
                evaluator.Delete(definition.Name, fromConfig: true);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>A reload (SIGHUP): the new declared checks and routes take effect in one batch.</summary>
    public Task<int> ReloadAsync(IReadOnlyList<CheckDefinition> checks, IReadOnlyList<Vigil.Domain.Notifications.Route> routes) =>
        ExecuteAsync(e =>
        {
            var removed = ApplyConfigChecks(e, checks);
            _router = new Router(routes);
            return removed;
        });

    /// <summary>Delivery outcomes from the dispatcher: committed with the next batch, not in a transaction each.</summary>
    public Task RecordAsync(IReadOnlyList<OutboxMark> marks, CancellationToken ct) =>
        ExecuteAsync(e =>
        {
            e.RecordDeliveries(marks);
            return marks.Count;
        }).WaitAsync(ct);

    /// <summary>Runs <paramref name="action"/> on the loop; completes once its effects are durable.</summary>
    public Task<T> ExecuteAsync<T>(Func<Evaluator, T> action)
    {
        var command = new Command<T>(action);
        if (!_commands.Writer.TryWrite(command))
        {
            command.Fail(new ServiceUnavailableException("Vigil is shutting down"));
        }

        return command.Task;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _running = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Kestrel has drained by now (it stops first); whatever is still queued is applied and committed.
        _commands.Writer.TryComplete();
        if (_running is not null)
        {
            await _running.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        var reader = _commands.Reader;
        var batch = new List<Command>(MaxBatch);
        while (true)
        {
            var now = _time.GetUtcNow();
            // A heartbeat after the last look, not after this instant: time that passed during the last step counts
            // (never longer than one interval, should the clock have gone back).
            var wait = TimeSpan.FromTicks(Math.Min(HeartbeatInterval.Ticks, (_lastWatched + HeartbeatInterval - now).Ticks));
            if (_evaluator.NextDeadline is { } next && next - now < wait)
            {
                wait = next - now;
            }

            if (wait > TimeSpan.Zero && !reader.TryPeek(out _))
            {
                using var timeout = new CancellationTokenSource(wait, _time);
                try
                {
                    // The timer counts from when it is armed, after the clock was read: if the clock has already passed
                    // the instant meant (a fake clock jumps while the loop is busy), look now instead of sleeping past it.
                    if (_time.GetUtcNow() < now + wait && !await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                }
            }

            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var command))
            {
                batch.Add(command);
            }

            await StepAsync(batch).ConfigureAwait(false);
            if (reader.Completion.IsCompleted)
            {
                break;
            }
        }

        // Final flush on shutdown: record the last instant Vigil was watching.
        await StepAsync([]).ConfigureAwait(false);
    }

    private async Task StepAsync(List<Command> batch)
    {
        var now = _time.GetUtcNow();
        if (now - _lastWatched > BlindSpanThreshold)
        {
            var moved = _evaluator.RecoverBlindSpan(_lastWatched, "the wall clock jumped forward or Vigil was suspended");
            Log.BlindSpan(_log, _lastWatched, now, moved);
        }

        foreach (var command in batch)
        {
            command.Execute(_evaluator);
        }

        _evaluator.Tick();
        var changes = _evaluator.TakeChanges();
        try
        {
            await CommitAsync(changes, now, _stopping.Token).ConfigureAwait(false);
            Fault = null;
            foreach (var command in batch)
            {
                command.Complete();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Fault = $"the store did not accept a write: {ex.Message}";
            Log.CommitFailed(_log, ex, batch.Count);
            var failure = new ServiceUnavailableException($"Vigil could not make this durable ({ex.Message}); nothing was acknowledged, retry");
            foreach (var command in batch)
            {
                command.Fail(failure);
            }

            await ReloadAsync().ConfigureAwait(false);
        }

        _lastWatched = now;
    }

    private async Task CommitAsync(Changes changes, DateTimeOffset now, CancellationToken ct)
    {
        // Once a second is enough to bound a blind span; writing it with every batch would add a row update
        // to the durable-ping path for nothing.
        if (now - _lastAliveWritten >= HeartbeatInterval)
        {
            changes.AliveAt = now;
        }

        foreach (var notification in changes.Notifications)
        {
            var receivers = _router.ReceiversFor(notification);
            if (receivers.Count == 0)
            {
                // Nobody will be told: say so where people look, rather than drop it silently.
                Log.NotificationUnrouted(_log, notification.Alert, notification.State, notification.Check ?? "vigil", EventTypes.NotificationUnrouted);
                if (notification.Check is { } check)
                {
                    changes.Events.Add(new CheckEvent
                    {
                        Check = check,
                        At = now,
                        Type = EventTypes.NotificationUnrouted,
                        Reason = $"no route sends the {notification.Alert} {notification.State} notification to a receiver",
                    });
                }
            }

            foreach (var receiver in receivers)
            {
                changes.Outbox.Add(new OutboxEntry
                {
                    Id = Guid.CreateVersion7(now),
                    NotificationId = notification.Id,
                    Receiver = receiver,
                    Notification = notification,
                    CreatedAt = now,
                    NextAttemptAt = now,
                });
            }
        }

        if (changes.IsEmpty)
        {
            return;
        }

        await _store.CommitAsync(changes, ct).ConfigureAwait(false);
        if (changes.AliveAt is not null)
        {
            _lastAliveWritten = now;
        }

        if (changes.Outbox.Count > 0)
        {
            _outboxSignal.Wake();
        }
    }

    private async Task<(Evaluator Evaluator, StoredState Stored)> LoadEvaluatorAsync(CancellationToken ct)
    {
        var stored = await _store.LoadAsync(ct).ConfigureAwait(false);
        var evaluator = new Evaluator(_time, _settings.StartupGrace);
        foreach (var (definition, state) in stored.Checks)
        {
            evaluator.Load(definition, state);
        }

        return (evaluator, stored);
    }

    /// <summary>After a failed commit the in-memory state is ahead of the store; go back to what is durable.</summary>
    private async Task ReloadAsync()
    {
        try
        {
            (_evaluator, _) = await LoadEvaluatorAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ReloadFailed(_log, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _commands.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private int _disposed;
}
