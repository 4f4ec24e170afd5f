using Vigil.Domain.Checks;
using Vigil.Domain.Commands;

namespace Vigil.Domain.Evaluation;

/// <summary>
/// The deterministic heart of Vigil: one state machine per check, every obligation in one deadline heap,
/// every change collected into <see cref="Changes"/> for the store. Not thread-safe by design: exactly one
/// loop owns it. Time comes only from the injected <see cref="TimeProvider"/> and randomness only from the
/// injected <see cref="Entropy"/>, so replaying the same commands on a fake clock gives the same states.
/// Commands are atomic (<see cref="Execute{TResult}"/>): one that throws leaves no trace.
/// </summary>
public sealed partial class Evaluator
{
    /// <summary>A data_ts further ahead of Vigil's clock than this is recorded with a warning.</summary>
    public static readonly TimeSpan ClientClockTolerance = TimeSpan.FromSeconds(5);

    /// <summary>How long after a blind span Vigil waits before acting on deadlines that fell in it. The default value is 2 minutes.</summary>
    public static readonly TimeSpan DefaultStartupGrace = TimeSpan.FromMinutes(2);

    private readonly TimeProvider _time;
    private readonly Entropy _entropy;
    private readonly Dictionary<string, CheckEntry> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, CheckEntry> _byUuid = [];
    private readonly DeadlineHeap _heap = new();
    private Changes _changes = new();

    /// <summary>The highest fencing token ever issued by any check, so a check deleted and created again
    /// never hands out a token lower than one its previous life did.</summary>
    private long _fencingHighWater;
    private int _autoCreated;

    public Evaluator(TimeProvider time, TimeSpan? startupGrace = null, Entropy? entropy = null)
    {
        _time = time;
        _entropy = entropy ?? Entropy.Secure;
        StartupGrace = startupGrace ?? DefaultStartupGrace;
    }

    public TimeSpan StartupGrace { get; set; }

    /// <summary>How many checks <c>?create=1</c> pings may have created and not yet deleted; 0 means no limit.</summary>
    public int AutoCreateLimit { get; set; }

    public int Count => _byName.Count;

    public long FencingHighWater => _fencingHighWater;

    /// <summary>The earliest instant at which <see cref="Tick"/> has work, or null when nothing is pending.</summary>
    public DateTimeOffset? NextDeadline => _heap.Peek()?.Due;

    /// <summary>Checks whose deadline handling failed, with why; they are not evaluated until redefined.</summary>
    public IEnumerable<(string Check, string Fault)> Faults =>
        _byName.Values.Where(e => e.Fault is not null).Select(e => (e.Definition.Name, e.Fault!));

    /// <summary>Changes made since the last call; the caller commits them.</summary>
    public Changes TakeChanges()
    {
        var taken = _changes;
        _changes = new Changes();
        _redefined.Clear();
        return taken;
    }

    /// <summary>Checks created or redefined since the last <see cref="TakeChanges"/>: their probe runs wait for the commit.
    /// A command rolled back may leave a name here, which only makes a run wait.</summary>
    private readonly HashSet<string> _redefined = new(StringComparer.Ordinal);

    public bool HasChanges => !_changes.IsEmpty;

    private DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Loads a check as persisted, without recording any change.</summary>
    public void Load(CheckDefinition definition, CheckState state)
    {
        var entry = new CheckEntry(definition, state);
        _byName[definition.Name] = entry;
        _byUuid[definition.Uuid] = entry;
        _fencingHighWater = Math.Max(_fencingHighWater, state.FencingCounter);
        if (definition.ManagedBy == ManagedBy.Ping) _autoCreated++;
        if (state.Alerts.Values.Any(a => a.HeldBack is not null)) _heldBack.Add(definition.Name);
        Reschedule(entry);
        foreach (var (kind, alert) in state.Alerts)
        {
            ScheduleRepeat(entry, kind, alert);
        }
    }

    /// <summary>Restores the fencing high-water mark persisted by the store (deleted checks included).</summary>
    public void LoadFencingHighWater(long value) => _fencingHighWater = Math.Max(_fencingHighWater, value);

    public IEnumerable<(CheckDefinition Definition, CheckState State)> Checks =>
        _byName.Values.Select(e => (e.Definition, e.State));

    public (CheckDefinition Definition, CheckState State)? Find(string name) =>
        _byName.TryGetValue(name, out var e) ? (e.Definition, e.State) : null;

    public (CheckDefinition Definition, CheckState State)? Find(Guid uuid) =>
        _byUuid.TryGetValue(uuid, out var e) ? (e.Definition, e.State) : null;

    /// <summary>The next instant at which this check's schedule expects a signal, if it has one.</summary>
    public DateTimeOffset? NextExpected(string name) =>
        _byName.TryGetValue(name, out var e) ? NextExpected(e) : null;

    public DateTimeOffset? NextDeadlineOf(string name) =>
        _byName.TryGetValue(name, out var e) && e.Scheduled ? e.Due : null;

    /// <summary>An immutable copy of one check for readers, or null when there is no such check.</summary>
    public CheckSnapshot? Snapshot(string name) =>
        _byName.TryGetValue(name, out var e)
            ? new CheckSnapshot(e.Definition, e.State.Clone(), e.Scheduled ? e.Due : null, NextExpected(e), e.Fault)
            : null;

    /// <summary>
    /// Applies one command atomically: it either completes, with its changes added to the pending batch, or
    /// throws and leaves no trace (the checks it touched are restored and its changes dropped).
    /// </summary>
    public TResult Execute<TResult>(EvaluatorCommand<TResult> command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return Atomically(() => command.ApplyTo(this));
    }

    private CheckEntry? Lookup(string name) => _byName.TryGetValue(name, out var e) ? Enter(e) : null;

    private CheckEntry? Lookup(Guid uuid) => _byUuid.TryGetValue(uuid, out var e) ? Enter(e) : null;

    private void Touch(CheckEntry entry)
    {
        _changes.Touch(entry.Definition, entry.State);
        Reschedule(entry);
    }

    private void Record(CheckEntry e, string type, string reason, DateTimeOffset now, Guid? rid = null, DateTimeOffset? dataTs = null,
        int? exitStatus = null, string? body = null, bool truncated = false, DateTimeOffset? reportedAt = null) =>
        _changes.Events.Add(new CheckEvent
        {
            Check = e.Definition.Name,
            At = now,
            Type = type,
            Reason = reason,
            Rid = rid,
            DataTs = dataTs,
            ExitStatus = exitStatus,
            Body = body,
            BodyTruncated = truncated,
            ReportedAt = reportedAt,
        });
}
