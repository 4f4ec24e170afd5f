using System.Threading.Channels;
using Vigil.Domain.Commands;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Modes;
using Vigil.Domain.Notifications;
using Vigil.Domain.Persistence;
using Vigil.Server.Delivery;

namespace Vigil.Server.Engine;

/// <summary>
/// The one writer. Typed commands from HTTP handlers arrive through a bounded channel; the loop drains what is
/// queued, applies each atomically, acts on due obligations, commits everything in one transaction (group
/// commit), publishes the changed checks to the <see cref="ReadModel"/>, and only then answers the waiting
/// requests. It sleeps until the next deadline or command, on the injected clock.
/// <para>Supervised: a batch that fails (the store refused it, or the loop itself threw) is answered with 503s,
/// the state is reloaded from the store so memory never runs ahead of disk, and the loop goes on. When the
/// reload fails too, or failures repeat, the loop gives up loudly (<see cref="Fatal"/>): the host stops with a
/// non-zero exit rather than live on answering nothing.</para>
/// </summary>
internal sealed class EvaluatorLoop : IAsyncDisposable, IDeliveryRecorder
{
    /// <summary>The loop wakes at least this often to record that Vigil is watching.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    /// <summary>A gap between two wake-ups longer than this means Vigil was not watching (suspended, or the
    /// wall clock jumped forward).</summary>
    public static readonly TimeSpan BlindSpanThreshold = TimeSpan.FromSeconds(15);

    /// <summary>The longest a request waits for the loop before it is answered 503. The default value is 30 seconds.</summary>
    public static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How many commands may wait; past it requests are answered 503 with Retry-After. The default value is 100,000.</summary>
    public const int DefaultQueueCapacity = 100_000;

    /// <summary>Failed batches in a row after which the loop gives up and the process exits.</summary>
    public const int MaxConsecutiveFailures = 5;

    private const int MaxBatch = 4096;

    /// <summary>Deadlines acted on in one step. A storm (thousands of checks late in the same second) then goes out
    /// over many small commits with the waiting pings between them, instead of one commit of the whole storm that
    /// every ping waits behind (a second and more for 10,000 checks on the development VM). The loop does not sleep
    /// while deadlines are left over.</summary>
    internal const int MaxDeadlinesPerStep = 64;

    /// <summary>Deadlines acted on in a step that also carries commands (pings waiting for their acknowledgement): each
    /// deadline adds rows to the commit those requests wait on. With 30,000 checks going down together and 7,000 pings a
    /// second, the pings' wait in the writer went from p99 25-30 ms at 64 a step to about 15 ms at 8 on the
    /// development VM (bench/PROFILE.md, "Storms, sixth session"). Idle, a step still takes
    /// <see cref="MaxDeadlinesPerStep"/>, so a storm is not drawn out when nobody waits.</summary>
    internal const int MaxDeadlinesPerBusyStep = 8;

    private readonly Channel<PendingCommand> _commands;
    private readonly IVigilStore _store;
    private readonly TimeProvider _time;
    private readonly Entropy _entropy;
    private readonly ServerSettings _settings;
    private readonly ILogger<EvaluatorLoop> _log;
    private readonly OutboxSignal _outboxSignal;
    private readonly ReadModel _readModel;
    private readonly OutboxFanOut _fanOut;
    private readonly ProbeQueue? _probes;
    private ModeSet _modes;
    private readonly TaskCompletionSource<string> _fatal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Router _router;
    private IReadOnlyList<MaintenanceWindow> _windows;
    private Evaluator _evaluator;
    private DateTimeOffset _lastWatched;
    private DateTimeOffset _lastAliveWritten;
    private Task? _running;
    private int _consecutiveFailures;
    private long _commandsExecuted;

    public EvaluatorLoop(IVigilStore store, TimeProvider time, Entropy entropy, ServerSettings settings, ILogger<EvaluatorLoop> log,
        OutboxSignal outboxSignal, ReadModel readModel, int queueCapacity = DefaultQueueCapacity, ProbeQueue? probes = null)
    {
        QueueCapacity = queueCapacity;
        _commands = Channel.CreateBounded<PendingCommand>(new BoundedChannelOptions(queueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _store = store;
        _time = time;
        _entropy = entropy;
        _settings = settings;
        _log = log;
        _outboxSignal = outboxSignal;
        _readModel = readModel;
        _fanOut = new OutboxFanOut(entropy, log);
        _router = new Router(settings.Routes);
        _windows = settings.MaintenanceWindows;
        _probes = probes;
        _modes = settings.ModeSet;
        _evaluator = NewEvaluator();
    }

    /// <summary>The longest a request waits for its command. Real time, not the injected clock: it bounds how
    /// long a caller is kept waiting by a stuck loop, which a fake clock in a test must not stretch.</summary>
    public TimeSpan CommandTimeout { get; init; } = DefaultCommandTimeout;

    public int QueueCapacity { get; }

    /// <summary>Null while healthy; otherwise why the loop cannot promise durability.</summary>
    public string? Fault { get; private set; }

    /// <summary>Completes with the reason when the loop has given up; the host then exits non-zero.</summary>
    public Task<string> Fatal => _fatal.Task;

    public bool Running => _running is { IsCompleted: false } && !_fatal.Task.IsCompleted;

    public DateTimeOffset LastWatched => _lastWatched;

    /// <summary>Commands applied since start: reads never add to it.</summary>
    public long CommandsExecuted => Interlocked.Read(ref _commandsExecuted);

    /// <summary>Commands waiting for the loop.</summary>
    public int QueueLength => _commands.Reader.CanCount ? _commands.Reader.Count : 0;

    private Evaluator NewEvaluator()
    {
        var evaluator = new Evaluator(_time, _settings.StartupGrace, _entropy) { AutoCreateLimit = _settings.Ping.AutoCreateLimit };

        // Before any check is loaded: the routes' repeat intervals schedule the repeats of the alerts loaded.
        evaluator.UseRouter(_router);
        return evaluator;
    }

    /// <summary>Loads the live state, applies the config's checks, covers the span Vigil was not watching and
    /// publishes everything. Returns what was loaded, so start-up reads the store once.</summary>
    public async Task<StoredState> InitializeAsync(CancellationToken ct)
    {
        var (evaluator, stored) = await LoadEvaluatorAsync(ct).ConfigureAwait(false);
        _evaluator = evaluator;

        // Nothing of the previous process's probe runs can answer now: they run again (see Evaluator.RestartProbes).
        if (_evaluator.RestartProbes() is > 0 and var dropped)
        {
            Log.ProbesRestarted(_log, dropped);
        }

        if (_settings.ChecksFromConfig)
        {
            _evaluator.Execute(new ApplyModesCommand(_modes));
        }

        if (_evaluator.Mode is { } mode)
        {
            Log.RunningMode(_log, mode, _modes.ForcedByEnvironment ? "VIGIL_MODE" : mode == stored.Mode ? "chosen through the API" : "the config file's mode:");
        }

        if (_settings.PoliciesFromConfig)
        {
            _evaluator.Execute(new ApplyConfigPoliciesCommand(_settings.Breakers, _settings.Gates));
        }

        // After every start, start_closed gates wait for someone to release them deliberately.
        _evaluator.Execute(new StartClosedGatesCommand());

        var now = _time.GetUtcNow();
        if (stored.LastAliveAt is { } lastAlive)
        {
            var moved = _evaluator.RecoverBlindSpan(lastAlive, "Vigil was stopped");
            Log.BlindSpan(_log, lastAlive, now, moved);
        }

        var changes = _evaluator.TakeChanges();
        await CommitAsync(changes, _router, now, ct).ConfigureAwait(false);
        PublishAll();
        _lastWatched = now;
        Log.Loaded(_log, _evaluator.Count, _store.Describe());
        return stored;
    }

    /// <summary>Queues <paramref name="command"/> and completes once its effects are durable and published.</summary>
    /// <exception cref="ServiceUnavailableException">The queue is full, the loop has given up, or it did not answer in time.</exception>
    public Task<T> SubmitAsync<T>(EvaluatorCommand<T> command) => SubmitAsync(new PendingCommand<T>(command));

    /// <summary>A reload: the checks (in the mode that should run), maintenance windows, breakers, gates, the router,
    /// receivers and keys take effect in one batch, or not at all.</summary>
    public Task<ConfigApplyResult> ReloadAsync(ModeSet modes, Router router, IReadOnlyList<MaintenanceWindow> windows, Action afterCommit,
        IReadOnlyList<Domain.Breakers.BreakerDefinition>? breakers = null, IReadOnlyList<Domain.Gates.GateDefinition>? gates = null) =>
        SubmitAsync(new PendingCommand<ConfigApplyResult>(
            new ApplyConfigCommand(new ApplyModesCommand(modes, windows), new ApplyConfigPoliciesCommand(breakers ?? [], gates ?? []), router))
        {
            Swap = new ConfigSwap(router, () =>
            {
                _windows = windows;
                _modes = modes;
                afterCommit();
            }),
        });

    /// <summary>Switches the running mode at once (one command: the config checks with the new mode's overrides, all or
    /// nothing) and persists the choice.</summary>
    public Task<ModeChangeResult> ChangeModeAsync(string mode, string reason, string? by) =>
        SubmitAsync(new ChangeModeCommand(mode, reason, by));

    /// <summary>Delivery outcomes from the dispatcher: committed with the next batch, not in a transaction each.</summary>
    public Task RecordAsync(IReadOnlyList<OutboxMark> marks, CancellationToken ct) =>
        SubmitAsync(new RecordDeliveriesCommand(marks)).WaitAsync(ct);

    private async Task<T> SubmitAsync<T>(PendingCommand<T> pending)
    {
        if (_fatal.Task.IsCompleted)
        {
            throw new ServiceUnavailableException($"Vigil's writer has stopped ({Fault}); nothing is being acknowledged");
        }

        if (!_commands.Writer.TryWrite(pending))
        {
            if (_commands.Reader.Completion.IsCompleted)
            {
                throw new ServiceUnavailableException("Vigil is shutting down");
            }

            throw new ServiceUnavailableException($"Vigil's writer has {QueueCapacity} commands waiting; retry shortly", TimeSpan.FromSeconds(1));
        }

        try
        {
            return await pending.Task.WaitAsync(CommandTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new ServiceUnavailableException(
                $"Vigil's writer did not answer within {CommandTimeout.TotalSeconds:0}s; the signal may or may not have been recorded, retry", TimeSpan.FromSeconds(1));
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _running = Task.Run(SuperviseAsync, CancellationToken.None);
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

    /// <summary>Runs the loop; anything it throws is logged with its cause and turned into a give-up, never a
    /// silently finished task behind a live process.</summary>
    private async Task SuperviseAsync()
    {
        try
        {
            await RunAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            GiveUp($"the writer loop failed: {ex.GetType().Name}: {ex.Message}", ex);
        }
    }

    private async Task RunAsync()
    {
        var reader = _commands.Reader;
        var batch = new List<PendingCommand>(MaxBatch);
        while (!_fatal.Task.IsCompleted)
        {
            var now = _time.GetUtcNow();
            // A heartbeat after the last look, not after this instant: time that passed during the last step counts
            // (never longer than one interval, should the clock have gone back).
            var wait = TimeSpan.FromTicks(Math.Min(HeartbeatInterval.Ticks, (_lastWatched + HeartbeatInterval - now).Ticks));
            if (_evaluator.NextDeadline is { } next && next - now < wait)
            {
                wait = next - now;
            }

            if (now - _lastWatched >= HeartbeatInterval)
            {
                // The clock moved on while the last batch ran (a slow commit, a fake clock advanced meanwhile): look at
                // the new time now rather than sleep on it, so the loop never goes longer than the heartbeat unwatched.
                wait = TimeSpan.Zero;
            }

            if (wait > TimeSpan.Zero && !reader.TryPeek(out _))
            {
                var wakeAt = now + wait;
                using var timeout = new CancellationTokenSource(wait, _time);
                if (_time.GetUtcNow() >= wakeAt)
                {
                    // The clock passed the wake-up time while the timer was being armed (a fake clock advanced by a
                    // test, a suspended VM): the timer counts from the new time and would oversleep; look now.
                    continue;
                }

                try
                {
                    if (!await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
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

        if (!_fatal.Task.IsCompleted)
        {
            // Final flush on shutdown: record the last instant Vigil was watching.
            await StepAsync([]).ConfigureAwait(false);
        }
    }

    private async Task StepAsync(List<PendingCommand> batch)
    {
        var now = _time.GetUtcNow();
        var committed = false;
        try
        {
            if (now - _lastWatched > BlindSpanThreshold)
            {
                var moved = _evaluator.RecoverBlindSpan(_lastWatched, "the wall clock jumped forward or Vigil was suspended");
                Log.BlindSpan(_log, _lastWatched, now, moved);
            }

            var router = _router;
            foreach (var pending in batch)
            {
                pending.Execute(_evaluator);
                if (pending is { Succeeded: true, Swap: { } swap })
                {
                    router = swap.Router;
                }

                if (pending.Bug is { } bug)
                {
                    Log.CommandFailed(_log, bug, pending.Command.Kind);
                }
            }

            Interlocked.Add(ref _commandsExecuted, batch.Count);
            _evaluator.Tick(batch.Count > 0 ? MaxDeadlinesPerBusyStep : MaxDeadlinesPerStep);
            var changes = _evaluator.TakeChanges();

            // Runs under a definition that is already durable start now, not after this batch's commit: asking for a run
            // writes nothing, and on this VM a commit's fsync can take a few hundred milliseconds, which would all be
            // start lag. The rest wait for the commit (HandOverProbes in CommitAsync).
            HandOverSettledProbes(changes);
            foreach (var (obligation, fault) in changes.Faults)
            {
                Log.ObligationFailed(_log, obligation, fault);
            }

            await CommitAsync(changes, router, now, CancellationToken.None).ConfigureAwait(false);
            committed = true;
            _router = router;
            foreach (var pending in batch)
            {
                if (pending is { Succeeded: true, Swap: { } swap })
                {
                    swap.AfterCommit();
                }
            }

            Publish(changes);
            LogPolicies(changes);
            Fault = null;
            _consecutiveFailures = 0;
            foreach (var pending in batch)
            {
                pending.Complete();
            }
        }
        catch (Exception ex)
        {
            await RecoverAsync(batch, ex, committed).ConfigureAwait(false);
        }

        _lastWatched = now;
    }

    /// <summary>A batch failed: nothing of it is acknowledged, and memory goes back to what is durable.</summary>
    private async Task RecoverAsync(List<PendingCommand> batch, Exception ex, bool committed)
    {
        var storeFailed = ex is StoreWriteException;
        Fault = storeFailed ? $"the store did not accept a write: {ex.InnerException?.Message}" : $"the writer failed: {ex.GetType().Name}: {ex.Message}";
        if (storeFailed)
        {
            Log.CommitFailed(_log, ex.InnerException ?? ex, batch.Count);
        }
        else
        {
            Log.WriterFailed(_log, ex, batch.Count);
        }

        var failure = new ServiceUnavailableException(
            committed
                ? $"Vigil recorded this but could not confirm it ({Fault}); retrying is safe for pings and leases"
                : $"Vigil could not make this durable ({Fault}); nothing was acknowledged, retry");
        foreach (var pending in batch)
        {
            pending.Fail(failure);
        }

        if (++_consecutiveFailures >= MaxConsecutiveFailures)
        {
            GiveUp($"{_consecutiveFailures} batches in a row failed; the last: {Fault}", ex);
            return;
        }

        try
        {
            (_evaluator, _) = await LoadEvaluatorAsync(CancellationToken.None).ConfigureAwait(false);
            PublishAll();
        }
        catch (Exception reloadError)
        {
            GiveUp($"{Fault}; reloading the state from the store failed too ({reloadError.Message}), so memory could be ahead of disk", reloadError);
        }
    }

    /// <summary>Stops acknowledging anything, fails every waiting request with the reason, and tells the host.</summary>
    private void GiveUp(string reason, Exception cause)
    {
        Fault = reason;
        Log.WriterGaveUp(_log, cause, reason);
        _fatal.TrySetResult(reason);
        _commands.Writer.TryComplete();
        var failure = new ServiceUnavailableException($"Vigil's writer has stopped ({reason}); nothing is being acknowledged");
        while (_commands.Reader.TryRead(out var pending))
        {
            pending.Fail(failure);
        }
    }

    private async Task CommitAsync(Changes changes, Router router, DateTimeOffset now, CancellationToken ct)
    {
        // Once a second is enough to bound a blind span; writing it with every batch would add a row update
        // to the durable-ping path for nothing.
        if (now - _lastAliveWritten >= HeartbeatInterval)
        {
            changes.AliveAt = now;
        }

        _fanOut.Route(changes, router, now);
        if (changes.IsEmpty)
        {
            // Nothing to make durable (a batch that only asked for probe runs): hand them over at once.
            HandOverProbes(changes);
            return;
        }

        try
        {
            await _store.CommitAsync(changes, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw new StoreWriteException(ex);
        }

        if (changes.AliveAt is not null)
        {
            _lastAliveWritten = now;
        }

        // Durable now: the probe runs that fell due go to the scheduler (never before the commit, so a run is never
        // started for a state that could still be rolled back).
        HandOverProbes(changes);
        if (changes.ModeChanged is { } modeChanged)
        {
            Log.ModeChanged(_log, modeChanged.From ?? "(none)", modeChanged.To, modeChanged.By ?? "the config file", modeChanged.Reason);
        }

        if (changes.Outbox.Count > 0)
        {
            _outboxSignal.Wake();
        }
    }

    private void HandOverSettledProbes(Changes changes)
    {
        if (_probes is null || changes.ProbeRequests.Count == 0)
        {
            return;
        }

        _probes.Offer(changes.ProbeRequests.Where(r => r.Settled));
        changes.ProbeRequests.RemoveAll(r => r.Settled);
    }

    private void HandOverProbes(Changes changes)
    {
        if (_probes is null)
        {
            return;
        }

        if (changes.ProbeRequests.Count > 0)
        {
            _probes.Offer(changes.ProbeRequests);
        }

        foreach (var name in changes.DeletedChecks)
        {
            _probes.Forget(name);
        }

        foreach (var (name, (definition, _)) in changes.Checks)
        {
            if (definition.Kind != Domain.Checks.CheckKind.Probe && _probes.Knows(name))
            {
                _probes.Forget(name);
            }
        }
    }

    private void PublishMode() => _readModel.PublishMode(new ModeView(_evaluator.Modes, _evaluator.Mode, _evaluator.ChosenMode));

    private void Publish(Changes changes)
    {
        if (_readModel.Mode is not { } shown || !ReferenceEquals(shown.Set, _evaluator.Modes) || shown.Mode != _evaluator.Mode || shown.Chosen != _evaluator.ChosenMode)
        {
            PublishMode();
        }

        if (changes.Silences.Count > 0)
        {
            _readModel.PublishSilences(_evaluator.Silences, _evaluator.MaintenanceWindows);
        }

        var policies = changes.Breakers.Count > 0 || changes.DeletedBreakers.Count > 0 || changes.Gates.Count > 0 || changes.DeletedGates.Count > 0;
        if (changes.Checks.Count == 0 && changes.DeletedChecks.Count == 0 && changes.Faults.Count == 0 && !policies)
        {
            return;
        }

        var snapshots = changes.Checks.Keys.Select(_evaluator.Snapshot).OfType<CheckSnapshot>().ToList();
        var faults = changes.Faults.Count > 0 ? [.. _readModel.Faults, .. changes.Faults] : (IReadOnlyList<(string, string)>?)null;
        if (!policies)
        {
            _readModel.Publish(snapshots, changes.DeletedChecks, faults);
            return;
        }

        _readModel.Publish(snapshots, changes.DeletedChecks, faults,
            changes.Breakers.Keys.Select(_evaluator.BreakerSnapshot).OfType<Domain.Breakers.BreakerSnapshot>().ToList(), changes.DeletedBreakers,
            changes.Gates.Keys.Select(_evaluator.GateSnapshot).OfType<Domain.Gates.GateSnapshot>().ToList(), changes.DeletedGates);
    }

    /// <summary>Who did what, and breakers opening and closing, once durable.</summary>
    private void LogPolicies(Changes changes)
    {
        foreach (var entry in changes.Audit)
        {
            Log.Audited(_log, entry.Key, entry.Action, entry.Target, entry.Reason);
        }

        foreach (var n in changes.Notifications)
        {
            if (n.Breaker is { } breaker)
            {
                Log.BreakerAlert(_log, breaker, n.State, n.Reason);
            }
        }
    }

    /// <summary>Publishes every check (at start and after a reload from the store), dropping the ones that are gone.</summary>
    private void PublishAll()
    {
        var snapshots = _evaluator.Checks.Select(c => _evaluator.Snapshot(c.Definition.Name)!).ToList();
        var names = snapshots.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var gone = _readModel.List(null, int.MaxValue, _ => true).Page.Select(s => s.Name).Where(n => !names.Contains(n)).ToList();
        _readModel.Publish(snapshots, gone, []);
        _readModel.PublishSilences(_evaluator.Silences, _evaluator.MaintenanceWindows);
        PublishMode();
        var breakers = _evaluator.Breakers.ToList();
        var gates = _evaluator.Gates.ToList();
        _readModel.PublishPolicies(
            breakers, _readModel.Breakers().Select(b => b.Name).Except(breakers.Select(b => b.Name), StringComparer.Ordinal).ToList(),
            gates, _readModel.Gates().Select(g => g.Name).Except(gates.Select(g => g.Name), StringComparer.Ordinal).ToList());
    }

    private async Task<(Evaluator Evaluator, StoredState Stored)> LoadEvaluatorAsync(CancellationToken ct)
    {
        var stored = await _store.LoadAsync(ct).ConfigureAwait(false);
        var evaluator = NewEvaluator();
        evaluator.LoadFencingHighWater(stored.FencingHighWater);
        evaluator.LoadModes(_modes, stored.Mode);
        foreach (var (definition, state) in stored.Checks)
        {
            evaluator.Load(definition, state);
        }

        foreach (var (definition, state) in stored.Breakers)
        {
            evaluator.Load(definition, state);
        }

        foreach (var (definition, state) in stored.Gates)
        {
            evaluator.Load(definition, state);
        }

        foreach (var silence in stored.Silences)
        {
            evaluator.LoadSilence(silence);
        }

        evaluator.SetMaintenanceWindows(_windows);
        evaluator.TakeChanges();

        // After the silences and windows (what they no longer mute is released) and after TakeChanges, so the release
        // is committed with the next batch rather than dropped.
        evaluator.LoadIntake(stored.AlertIntake);

        return (evaluator, stored);
    }

    public ValueTask DisposeAsync()
    {
        _commands.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The store refused a batch: nothing of it is durable.</summary>
internal sealed class StoreWriteException(Exception inner) : Exception(inner.Message, inner);
