using System.Collections.Concurrent;
using System.Collections.Immutable;
using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;

namespace Vigil.Server.Engine;

/// <summary>
/// What readers see: per-check snapshots published by the writer loop after each commit, before the batch's
/// requests are answered (so a client reads its own writes). Lists, health and single-check reads come from
/// here without entering the loop. Only the loop publishes; any thread reads.
/// </summary>
internal sealed partial class ReadModel
{
    private readonly ConcurrentDictionary<string, CheckSnapshot> _checks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, string> _uuids = new();
    private readonly ConcurrentDictionary<string, Level> _notOk = new(StringComparer.Ordinal);
    private volatile ImmutableSortedSet<string> _names = ImmutableSortedSet.Create<string>(StringComparer.Ordinal);
    private readonly int[] _levels = new int[3];
    private volatile IReadOnlyList<(string Obligation, string Fault)> _faults = [];

    private volatile IReadOnlyList<Silence> _silences = [];
    private volatile IReadOnlyList<MaintenanceWindow> _windows = [];

    public int Count => _checks.Count;

    /// <summary>Silences that had not ended at the last publish (a reader drops the ones that ended since).</summary>
    public IReadOnlyList<Silence> Silences => _silences;

    public IReadOnlyList<MaintenanceWindow> MaintenanceWindows => _windows;

    private volatile ModeView? _mode;

    /// <summary>The running mode and the declared ones, as of the last commit; null before the first publish.</summary>
    public ModeView? Mode => _mode;

    public void PublishMode(ModeView mode) => _mode = mode;

    public void PublishSilences(IReadOnlyList<Silence> silences, IReadOnlyList<MaintenanceWindow> windows)
    {
        _silences = silences;
        _windows = windows;
    }

    /// <summary>How many checks are at each level.</summary>
    public (int Ok, int Warning, int Critical) Counts =>
        (Volatile.Read(ref _levels[0]), Volatile.Read(ref _levels[1]), Volatile.Read(ref _levels[2]));

    /// <summary>Obligations whose handling failed (a rule bug): health reports them as critical.</summary>
    public IReadOnlyList<(string Obligation, string Fault)> Faults => _faults;

    /// <summary>Raised on the loop for every check removed, so per-check caches (rate limits) can forget it.</summary>
    public event Action<string>? Removed;

    public CheckSnapshot? Find(string name) => _checks.GetValueOrDefault(name);

    public CheckSnapshot? Find(Guid uuid) => _uuids.TryGetValue(uuid, out var name) ? Find(name) : null;

    /// <summary>Checks in name order after <paramref name="after"/>, up to <paramref name="limit"/> that pass
    /// <paramref name="filter"/>; the cursor for the next page is the last name returned, or null at the end.</summary>
    public (IReadOnlyList<CheckSnapshot> Page, string? Next) List(string? after, int limit, Func<CheckSnapshot, bool> filter)
    {
        var names = _names;
        var start = 0;
        if (after is not null)
        {
            var index = names.IndexOf(after);
            start = index >= 0 ? index + 1 : ~index;
        }

        var page = new List<CheckSnapshot>(Math.Min(limit, 256));
        for (var i = start; i < names.Count; i++)
        {
            if (Find(names[i]) is not { } snapshot || !filter(snapshot))
            {
                continue;
            }

            page.Add(snapshot);
            if (page.Count == limit)
            {
                return (page, i + 1 < names.Count ? names[i] : null);
            }
        }

        return (page, null);
    }

    /// <summary>Every check that is not ok, by name.</summary>
    public IReadOnlyList<CheckSnapshot> NotOk() =>
        [.. _notOk.Keys.Order(StringComparer.Ordinal).Select(Find).OfType<CheckSnapshot>()];

    /// <summary>Called by the loop only, after a commit.</summary>
    public void Publish(IEnumerable<CheckSnapshot> changed, IEnumerable<string> deleted, IReadOnlyList<(string, string)>? faults = null)
    {
        lock (_publishing)
        {
            PublishChecks(changed, deleted, faults);
        }
    }

    private void PublishChecks(IEnumerable<CheckSnapshot> changed, IEnumerable<string> deleted, IReadOnlyList<(string, string)>? faults)
    {
        var added = new List<string>();
        var removed = new List<string>();
        foreach (var snapshot in changed)
        {
            if (_checks.TryGetValue(snapshot.Name, out var previous))
            {
                if (previous.Level != snapshot.Level || !previous.Definition.Tags.SequenceEqual(snapshot.Definition.Tags)) GatesMayHaveChanged();
                Tally(previous.Level, -1);
                if (previous.Definition.Uuid != snapshot.Definition.Uuid)
                {
                    _uuids.TryRemove(previous.Definition.Uuid, out _);
                }
            }
            else
            {
                added.Add(snapshot.Name);
                GatesMayHaveChanged();
            }

            _checks[snapshot.Name] = snapshot;
            _uuids[snapshot.Definition.Uuid] = snapshot.Name;
            Tally(snapshot.Level, +1);
            if (snapshot.Level == Level.Ok) _notOk.TryRemove(snapshot.Name, out _);
            else _notOk[snapshot.Name] = snapshot.Level;
        }

        foreach (var name in deleted)
        {
            if (!_checks.TryRemove(name, out var previous))
            {
                continue;
            }

            Tally(previous.Level, -1);
            GatesMayHaveChanged();
            _uuids.TryRemove(previous.Definition.Uuid, out _);
            _notOk.TryRemove(name, out _);
            removed.Add(name);
            Removed?.Invoke(name);
        }

        if (added.Count > 0 || removed.Count > 0)
        {
            _names = _names.Union(added).Except(removed);
        }

        if (faults is not null)
        {
            _faults = faults;
        }
    }

    private void Tally(Level level, int delta) => Interlocked.Add(ref _levels[(int)level], delta);
}
