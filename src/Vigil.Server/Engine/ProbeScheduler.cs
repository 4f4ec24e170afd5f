using System.Collections.Concurrent;
using Vigil.Domain.Checks;
using Vigil.Domain.Commands;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Probes;
using Vigil.Probes;

namespace Vigil.Server.Engine;

/// <summary>
/// Runs the probe runs the writer asked for, outside the writer: at most <see cref="Concurrency"/> at once, one per
/// check at a time (<see cref="ProbeQueue"/>), each cut at its timeout by the probe itself. It keeps one built probe
/// per check and rebuilds it when the check's definition changes. Every run it takes ends in a result for the writer
/// (<see cref="ProbeResultCommand"/>), even when the probe throws or its lane fails: unmeasurable, with the cause.
/// <para>Supervised: the dispatcher that takes runs from the queue is restarted when it fails, and the run it held is
/// answered or queued again; health reports the failure. The lag of each start behind its due instant is recorded
/// (<see cref="Lag"/>) and shown in health.</para>
/// </summary>
internal sealed class ProbeScheduler : IAsyncDisposable
{
    /// <summary>How many probe runs may go at once. The default value is 64.</summary>
    public const int DefaultConcurrency = 64;

    /// <summary>A start lag p99 above this makes the scheduler's health a warning. The default value is 10 seconds.</summary>
    public static readonly TimeSpan LagWarning = TimeSpan.FromSeconds(10);

    /// <summary>The window health reports the lag over. The value is 1 minute.</summary>
    public static readonly TimeSpan HealthWindow = TimeSpan.FromMinutes(1);

    /// <summary>How long the supervisor waits before restarting a failed dispatcher, so a persistent bug cannot spin.</summary>
    public static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(1);

    /// <summary>How often a result the writer refused (busy, or a failed batch) is offered again before it is given up;
    /// the writer then reports the run lost at its deadline, so nothing stays in flight.</summary>
    private const int MaxSubmitAttempts = 8;

    private readonly ProbeQueue _queue;
    private readonly EvaluatorLoop _loop;
    private readonly TimeProvider _time;
    private readonly ILogger<ProbeScheduler> _log;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _runs = new();
    private Task? _supervisor;
    private volatile bool _dispatching;
    private string? _heldName;
    private (ProbeQueue.Slot Slot, ProbeRequest Run)? _heldRun;
    private int _restarts;
    private volatile string? _lastFailure;

    public ProbeScheduler(ProbeQueue queue, EvaluatorLoop loop, TimeProvider time, ILogger<ProbeScheduler> log, int concurrency = DefaultConcurrency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        _queue = queue;
        _loop = loop;
        _time = time;
        _log = log;
        Concurrency = concurrency;
        _slots = new SemaphoreSlim(concurrency, concurrency);
    }

    public int Concurrency { get; }

    public ProbeLag Lag { get; } = new();

    /// <summary>Times the dispatcher failed and was restarted.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>The last failure of a lane or of the dispatcher, for health; null while none happened.</summary>
    public string? LastFailure => _lastFailure;

    /// <summary>True while the dispatcher takes runs from the queue.</summary>
    public bool Dispatching => _dispatching && _supervisor is { IsCompleted: false };

    /// <summary>Test seam: called in a lane before its probe runs, outside the probe's own protection; throwing from it
    /// is a lane dying.</summary>
    internal Action<ProbeRequest>? PoisonLane { get; set; }

    /// <summary>Test seam: called by the dispatcher with each check it takes; throwing from it kills the dispatcher.</summary>
    internal Action<string>? PoisonDispatcher { get; set; }

    public Task StartAsync()
    {
        _supervisor = Task.Run(SuperviseAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stops taking runs and cancels the ones going; their checks stay in flight in the store and run again
    /// after the next start.</summary>
    public async Task StopAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_supervisor is not null)
        {
            await _supervisor.ConfigureAwait(false);
        }

        try
        {
            // Real time: a probe that ignores its cancellation must not hold up the shutdown for ever.
            await Task.WhenAll(_runs.Keys).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.ProbeRunsStillGoing(_log, _runs.Count);
        }
    }

    /// <summary>Stops. The token source and the semaphore are left to the collector: a run abandoned at shutdown may
    /// still touch them, and neither holds a timer or a wait handle.</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>The scheduler as a health component: level, a sentence, and the figures behind it.</summary>
    public (Level Level, string Reason, IReadOnlyDictionary<string, double> Figures) Health(DateTimeOffset now)
    {
        var lag = Lag.Since(now - HealthWindow);
        var inFlight = _queue.InFlight;
        var level = _supervisor is null or { IsCompleted: true } ? Level.Critical
            : !_dispatching || lag.P99Ms > LagWarning.TotalMilliseconds ? Level.Warning
            : Level.Ok;
        var state = _supervisor is null or { IsCompleted: true } ? "not running"
            : !_dispatching ? $"restarting after a failure ({_restarts} so far)"
            : "running";
        var reason = $"{state}; {inFlight} probe run(s) waiting or running (at most {Concurrency} at once); " +
                     $"{lag.Runs} started in the last {HealthWindow.TotalMinutes:0} min, start lag p99 {lag.P99Ms:0.#} ms, max {lag.MaxMs:0.#} ms" +
                     (lag.P99Ms > LagWarning.TotalMilliseconds ? $" (above {LagWarning.TotalSeconds:0} s: probes start late)" : "") +
                     (_lastFailure is { } failure ? $"; last failure: {failure}" : "");
        var figures = new Dictionary<string, double>
        {
            ["in_flight"] = inFlight,
            ["runs"] = lag.Runs,
            ["lag_p50_ms"] = Math.Round(lag.P50Ms, 3),
            ["lag_p99_ms"] = Math.Round(lag.P99Ms, 3),
            ["lag_max_ms"] = Math.Round(lag.MaxMs, 3),
            ["restarts"] = _restarts,
        };
        return (level, reason, figures);
    }

    private async Task SuperviseAsync()
    {
        var ct = _stopping.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                _dispatching = true;
                await DispatchAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _dispatching = false;
                Interlocked.Increment(ref _restarts);
                _lastFailure = $"the dispatcher failed ({ex.GetType().Name}: {ex.Message}) and was restarted";
                Log.ProbeDispatcherFailed(_log, ex, _restarts);
                RecoverHeld(ex);
            }

            try
            {
                await Task.Delay(RestartDelay, _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>What the failed dispatcher held is not lost: a run it had taken is answered (unmeasurable, with the
    /// cause), a name it had read is queued again.</summary>
    private void RecoverHeld(Exception cause)
    {
        if (_heldRun is { } held)
        {
            _heldRun = null;
            Track(AnswerAsync(held.Slot, held.Run, Unmeasurable(held.Run, $"Vigil's probe scheduler failed before running it ({cause.GetType().Name}: {cause.Message})"), _time.GetUtcNow()));
        }

        var requeued = _queue.Recover(_heldName);
        _heldName = null;
        Log.ProbeQueueRecovered(_log, requeued);
    }

    private async Task DispatchAsync(CancellationToken ct)
    {
        var reader = _queue.Ready;
        while (await reader.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            while (reader.TryRead(out var name))
            {
                _heldName = name;
                var (run, slot, dispose) = _queue.Take(name);
                if (run is not null)
                {
                    _heldRun = (slot!, run);
                }

                _heldName = null;
                PoisonDispatcher?.Invoke(name);
                if (dispose is not null)
                {
                    await DisposeQuietlyAsync(dispose).ConfigureAwait(false);
                }

                if (run is not null)
                {
                    await _slots.WaitAsync(ct).ConfigureAwait(false);
                    _heldRun = null;
                    Track(RunAsync(slot!, run));
                }
            }
        }
    }

    private void Track(Task task)
    {
        _runs[task] = 0;
        _ = task.ContinueWith(t => _runs.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RunAsync(ProbeQueue.Slot slot, ProbeRequest request)
    {
        // No hop off the dispatcher's thread here: a probe's reader runs on the thread pool (JudgedProbe), so this method
        // returns to the dispatcher at its first await, and a thread switch per run is not cheap on a virtual machine.
        var startedAt = _time.GetUtcNow();
        Measurement measurement;
        try
        {
            try
            {
                PoisonLane?.Invoke(request);
                var (probe, problem) = await ProbeForAsync(slot, request).ConfigureAwait(false);
                startedAt = _time.GetUtcNow();
                Lag.Record(startedAt, startedAt - request.DueAt);
                measurement = probe is null
                    ? Unmeasurable(request, problem!)
                    : await probe.MeasureAsync(_stopping.Token).ConfigureAwait(false);
            }
            finally
            {
                _slots.Release();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: the check stays in flight in the store and runs again after the next start.
            _queue.Done(slot);
            return;
        }
        catch (Exception ex)
        {
            // The lane failed outside the probe's own protection: still a result, never a check stuck in flight.
            _lastFailure = $"a probe lane for '{request.Check}' failed ({ex.GetType().Name}: {ex.Message})";
            Log.ProbeLaneFailed(_log, ex, request.Check);
            measurement = Unmeasurable(request, $"Vigil's probe scheduler failed running it ({ex.GetType().Name}: {ex.Message})");
        }

        await AnswerAsync(slot, request, measurement, startedAt).ConfigureAwait(false);
    }

    /// <summary>The check's probe, built or rebuilt for this request's definition; or why it cannot be built (logged,
    /// and the run answered unmeasurable with it).</summary>
    private async Task<(IProbe? Probe, string? Problem)> ProbeForAsync(ProbeQueue.Slot slot, ProbeRequest request)
    {
        if (slot.Lane is { } lane && lane.Fits(request.Definition))
        {
            return (lane.Probe, null);
        }

        if (slot.Lane is { } old)
        {
            slot.Lane = null;
            await DisposeQuietlyAsync(old).ConfigureAwait(false);
        }

        try
        {
            var probe = ProbeFactory.Create(request.Definition, _time);
            slot.Lane = new ProbeLane(request.Definition, probe);
            return (probe, null);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or System.Security.Cryptography.CryptographicException)
        {
            // A definition the probe library cannot build (say, a ca_file that went missing) is this check's problem,
            // reported on the check like any other failure to measure.
            Log.ProbeBuildFailed(_log, ex, request.Check);
            return (null, $"the {request.Definition.Probe?.Kind ?? "probe"} probe could not be set up: {ex.Message}");
        }
    }

    private async Task AnswerAsync(ProbeQueue.Slot slot, ProbeRequest request, Measurement measurement, DateTimeOffset startedAt)
    {
        try
        {
            await SubmitAsync(new ProbeResultCommand(request, measurement, startedAt)).ConfigureAwait(false);
        }
        finally
        {
            _queue.Done(slot);
        }
    }

    private async Task SubmitAsync(ProbeResultCommand command)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _loop.SubmitAsync(command).ConfigureAwait(false);
                return;
            }
            catch (ServiceUnavailableException ex) when (attempt < MaxSubmitAttempts && !_stopping.IsCancellationRequested && !_loop.Fatal.IsCompleted)
            {
                // The writer is busy or reloading after a failed batch: offer the result again shortly.
                Log.ProbeResultRetried(_log, command.Check, attempt, ex.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100 << Math.Min(attempt, 5)), _time, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            catch (Exception ex)
            {
                // Given up: the writer reports the run lost at its deadline and asks for it again.
                Log.ProbeResultDropped(_log, command.Check, ex.Message);
                return;
            }
        }
    }

    private Measurement Unmeasurable(ProbeRequest request, string reason) =>
        new(_time.GetUtcNow(), new Dictionary<string, double>(), request.Definition.Unmeasurable, reason) { Unmeasurable = true };

    private async Task DisposeQuietlyAsync(ProbeLane lane)
    {
        try
        {
            await lane.Probe.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.ProbeDisposeFailed(_log, ex, lane.Definition.Name);
        }
    }
}
