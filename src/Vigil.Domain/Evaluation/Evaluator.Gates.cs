using Vigil.Domain.Audit;
using Vigil.Domain.Breakers;
using Vigil.Domain.Gates;

namespace Vigil.Domain.Evaluation;

/// <summary>Gates (their kill switches; whether one is open is judged from the current checks and breakers)
/// and the config's breakers and gates applied as a whole.</summary>
public sealed partial class Evaluator
{
    private sealed class GateEntry(GateDefinition definition, GateState state)
    {
        public GateDefinition Definition { get; set; } = definition;
        public GateState State { get; } = state;
    }

    private readonly Dictionary<string, GateEntry> _gates = new(StringComparer.Ordinal);

    public IEnumerable<GateSnapshot> Gates => _gates.Values.Select(g => new GateSnapshot(g.Definition, g.State.Kill));

    public GateSnapshot? GateSnapshot(string name) =>
        _gates.TryGetValue(name, out var g) ? new GateSnapshot(g.Definition, g.State.Kill) : null;

    /// <summary>Why the gate is closed now (empty: open), judged over every check; null when there is no such gate.
    /// The server judges from its read model instead, which visits only checks that are not ok.</summary>
    public IReadOnlyList<GateReason>? GateReasons(string name)
    {
        if (GateSnapshot(name) is not { } gate)
        {
            return null;
        }

        var notOk = _byName.Values.Select(e => Snapshot(e.Definition.Name)!).Where(c => c.Level != Vigil.Domain.Checks.Level.Ok);
        return GateJudge.Reasons(gate, notOk, Snapshot, BreakerSnapshot);
    }

    /// <summary>Loads a gate as persisted, without recording any change.</summary>
    public void Load(GateDefinition definition, GateState state) => _gates[definition.Name] = new GateEntry(definition, state);

    /// <summary>Engages (<paramref name="engage"/>) or releases a gate's kill switch, audited with who and why;
    /// false when there is no such gate.</summary>
    public bool SetKillSwitch(string name, bool engage, string reason, string by)
    {
        if (LookupGate(name) is not { } gate)
        {
            return false;
        }

        var now = Now;
        gate.State.Kill = new KillSwitch { Engaged = engage, Reason = reason, By = by, At = now };
        _changes.Touch(gate.Definition, gate.State);
        _changes.Audit.Add(new AuditEntry { At = now, Key = by, Action = engage ? AuditActions.GateKill : AuditActions.GateRelease, Target = name, Reason = reason });
        return true;
    }

    /// <summary>At every start: engages the kill switch of each start_closed gate that is not engaged already (one
    /// engaged by a person before the restart keeps that person's reason). Returns how many it engaged.</summary>
    public int EngageStartClosedGates()
    {
        var engaged = 0;
        foreach (var gate in _gates.Values.Where(g => g.Definition.StartClosed && !g.State.Kill.Engaged).ToList())
        {
            SetKillSwitch(gate.Definition.Name, true, "start_closed: engaged at start; release it deliberately", AuditActions.Vigil);
            engaged++;
        }

        return engaged;
    }

    /// <summary>
    /// Makes the config's breakers and gates the declared set, all or nothing: everything is validated first
    /// (a conflict throws <see cref="ConfigConflictException"/> naming every problem before anything changes).
    /// A breaker or gate that stays keeps its state (counters, cooldown, probes, kill switch); one no longer
    /// declared is removed (a firing breaker_open is resolved); a new start_closed gate starts engaged.
    /// </summary>
    public PolicyApplyResult ApplyConfigPolicies(IReadOnlyList<BreakerDefinition> breakers, IReadOnlyList<GateDefinition> gates)
    {
        var problems = new List<string>();
        var breakerNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var breaker in breakers)
        {
            if (!breakerNames.Add(breaker.Name)) problems.Add($"breaker '{breaker.Name}' is declared twice");
            problems.AddRange(breaker.Validate().Select(p => $"breaker '{breaker.Name}': {p.Field} {p.Message}"));
        }

        var gateNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var gate in gates)
        {
            if (!gateNames.Add(gate.Name)) problems.Add($"gate '{gate.Name}' is declared twice");
            problems.AddRange(gate.Validate(breakerNames).Select(p => $"gate '{gate.Name}': {p.Field} {p.Message}"));
        }

        if (problems.Count > 0)
        {
            throw new ConfigConflictException(problems);
        }

        var now = Now;
        foreach (var name in _breakers.Keys.Where(n => !breakerNames.Contains(n)).ToList())
        {
            RemoveBreaker(name, now);
        }

        foreach (var definition in breakers)
        {
            if (LookupBreaker(definition.Name) is { } existing)
            {
                if (existing.Definition != definition)
                {
                    // Buckets of another width would be judged wrongly: a new window starts empty.
                    if (existing.Definition.Window != definition.Window) existing.State.Buckets.Clear();
                    existing.Definition = definition;
                    Touch(existing);
                }

                continue;
            }

            var created = NewBreakerEntry(definition, new BreakerState { StatusSince = now });
            _breakers[definition.Name] = created;
            OnRollback(() =>
            {
                _breakers.Remove(definition.Name);
                _heap.Remove(created);
            });
            Touch(created);
        }

        foreach (var name in _gates.Keys.Where(n => !gateNames.Contains(n)).ToList())
        {
            var gone = _gates[name];
            _gates.Remove(name);
            OnRollback(() => _gates[name] = gone);
            _changes.Gates.Remove(name);
            _changes.DeletedGates.Add(name);
        }

        foreach (var definition in gates)
        {
            if (LookupGate(definition.Name) is { } existing)
            {
                if (existing.Definition != definition)
                {
                    existing.Definition = definition;
                    _changes.Touch(definition, existing.State);
                }

                continue;
            }

            var gate = new GateEntry(definition, new GateState());
            _gates[definition.Name] = gate;
            OnRollback(() => _gates.Remove(definition.Name));
            _changes.Touch(definition, gate.State);
            if (definition.StartClosed)
            {
                SetKillSwitch(definition.Name, true, "start_closed: a new gate starts closed; release it deliberately", AuditActions.Vigil);
            }
        }

        return new PolicyApplyResult(breakers.Count, gates.Count);
    }

    private void RemoveBreaker(string name, DateTimeOffset now)
    {
        var b = LookupBreaker(name)!;
        ResolveBreakerAlert(b, "the breaker is no longer declared", now);
        _breakers.Remove(name);
        _heap.Remove(b);
        OnRollback(() =>
        {
            _breakers[name] = b;
            RescheduleBreaker(b);
        });
        _changes.Breakers.Remove(name);
        _changes.DeletedBreakers.Add(name);
    }

    private GateEntry? LookupGate(string name)
    {
        if (!_gates.TryGetValue(name, out var gate))
        {
            return null;
        }

        Journaled(gate, () =>
        {
            var definition = gate.Definition;
            var kill = gate.State.Kill;
            return () =>
            {
                gate.Definition = definition;
                gate.State.Kill = kill;
            };
        });
        return gate;
    }
}

/// <summary>How many breakers and gates the config declares.</summary>
public sealed record PolicyApplyResult(int Breakers, int Gates);
