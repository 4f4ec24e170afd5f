using Vigil.Domain.Checks;

namespace Vigil.Domain.Evaluation;

public sealed partial class Evaluator
{
    /// <summary>What one command changed, so it can be undone: each check as it was before the command first
    /// touched it, the checks it created, and the evaluator-wide counters.</summary>
    private sealed class Journal(long fencingHighWater, int autoCreated)
    {
        public long FencingHighWater { get; } = fencingHighWater;
        public int AutoCreated { get; } = autoCreated;
        public Dictionary<CheckEntry, (CheckDefinition Definition, CheckState State, string? Fault)> Saved { get; } = [];
        public List<CheckEntry> Created { get; } = [];

        /// <summary>Copied only when a command changes them (rare), so a ping pays nothing for them.</summary>
        public Dictionary<Guid, Notifications.Silence>? Silences { get; set; }
        public IReadOnlyList<Notifications.MaintenanceWindow>? Windows { get; set; }
        public HashSet<string>? HeldBack { get; set; }

        /// <summary>Breakers and gates entered so far (each is saved once), and how to put each back, run in reverse.</summary>
        public HashSet<object> Entered { get; } = [];
        public List<Action> Undo { get; } = [];
    }

    private Journal? _journal;

    /// <summary>Runs <paramref name="action"/> as one unit: on success its changes join the pending batch; if it
    /// throws, every check it touched is restored, what it created is removed, and its changes are dropped.</summary>
    private T Atomically<T>(Func<T> action)
    {
        if (_journal is not null)
        {
            return action();
        }

        var batch = _changes;
        var journal = new Journal(_fencingHighWater, _autoCreated);
        _changes = new Changes();
        _journal = journal;
        try
        {
            var result = action();
            batch.Absorb(_changes);
            return result;
        }
        catch
        {
            Rollback(journal);
            throw;
        }
        finally
        {
            _changes = batch;
            _journal = null;
        }
    }

    /// <summary>Every path that changes a check goes through here first, so the journal holds its prior state.</summary>
    private CheckEntry Enter(CheckEntry entry)
    {
        if (_journal is { } journal && !journal.Created.Contains(entry) && !journal.Saved.ContainsKey(entry))
        {
            journal.Saved[entry] = (entry.Definition, entry.State.Clone(), entry.Fault);
        }

        return entry;
    }

    private void Created(CheckEntry entry) => _journal?.Created.Add(entry);

    /// <summary>Call before changing the silences or the windows: the journal keeps the previous set.</summary>
    private void BeforeMutesChange()
    {
        if (_journal is { Silences: null } journal)
        {
            journal.Silences = new Dictionary<Guid, Notifications.Silence>(_silences);
            journal.Windows = _windows;
        }
    }

    /// <summary>Call before changing the set of checks with held-back notifications.</summary>
    private void BeforeHeldBackChange()
    {
        if (_journal is { HeldBack: null } journal)
        {
            journal.HeldBack = new HashSet<string>(_heldBack, StringComparer.Ordinal);
        }
    }

    /// <summary>Runs <paramref name="save"/> the first time <paramref name="target"/> is changed by the current
    /// command; <paramref name="save"/> returns how to put it back if the command fails.</summary>
    private void Journaled(object target, Func<Action> save)
    {
        if (_journal is { } journal && journal.Entered.Add(target))
        {
            journal.Undo.Add(save());
        }
    }

    /// <summary>Registers how to undo something the current command did (a creation, a removal).</summary>
    private void OnRollback(Action undo) => _journal?.Undo.Add(undo);

    private void Rollback(Journal journal)
    {
        for (var i = journal.Undo.Count - 1; i >= 0; i--)
        {
            journal.Undo[i]();
        }

        foreach (var entry in journal.Created)
        {
            Unregister(entry);
        }

        foreach (var (entry, (definition, state, fault)) in journal.Saved)
        {
            Unregister(entry);
            entry.Restore(definition, fault);
            entry.State.RestoreFrom(state);
            _byName[definition.Name] = entry;
            _byUuid[definition.Uuid] = entry;
            Reschedule(entry);
        }

        _fencingHighWater = journal.FencingHighWater;
        _autoCreated = journal.AutoCreated;
        if (journal.HeldBack is { } heldBack)
        {
            _heldBack.Clear();
            _heldBack.UnionWith(heldBack);
        }

        if (journal.Silences is { } silences)
        {
            _silences.Clear();
            foreach (var (id, silence) in silences)
            {
                _silences[id] = silence;
            }

            _windows = journal.Windows ?? _windows;
            ScheduleMuteClock();
        }
    }

    private void Unregister(CheckEntry entry)
    {
        if (_byName.TryGetValue(entry.Definition.Name, out var byName) && byName == entry)
        {
            _byName.Remove(entry.Definition.Name);
        }

        if (_byUuid.TryGetValue(entry.Definition.Uuid, out var byUuid) && byUuid == entry)
        {
            _byUuid.Remove(entry.Definition.Uuid);
        }

        _heap.Remove(entry);
    }
}
