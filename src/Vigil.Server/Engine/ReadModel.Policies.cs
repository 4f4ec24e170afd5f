using System.Collections.Concurrent;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Breakers;
using Vigil.Domain.Gates;

namespace Vigil.Server.Engine;

/// <summary>
/// Breakers and gates for readers. A gate read (and a permit on a closed breaker) never enters the writer: a
/// gate is judged here, from the published checks and breakers, once per change that can affect gates (a
/// check's level or tags, a breaker, a gate), and the verdict is shared by every read until the next one.
/// Judging takes the publish lock, so a verdict never mixes two commits.
/// </summary>
internal sealed partial class ReadModel
{
    private readonly object _publishing = new();
    private readonly ConcurrentDictionary<string, BreakerSnapshot> _breakers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GateSnapshot> _gates = new(StringComparer.Ordinal);
    private long _gateVersion;
    private volatile GateVerdicts? _verdicts;

    private sealed record GateVerdicts(long Version, IReadOnlyDictionary<string, GateView> Views);

    public BreakerSnapshot? Breaker(string name) => _breakers.GetValueOrDefault(name);

    public IReadOnlyList<BreakerSnapshot> Breakers() => [.. _breakers.Values.OrderBy(b => b.Name, StringComparer.Ordinal)];

    public GateView? Gate(string name) => Verdicts().Views.GetValueOrDefault(name);

    public IReadOnlyList<GateView> Gates() => [.. Verdicts().Views.Values.OrderBy(g => g.Name, StringComparer.Ordinal)];

    /// <summary>Called by the loop only, after a commit.</summary>
    public void PublishPolicies(IEnumerable<BreakerSnapshot> breakers, IEnumerable<string> deletedBreakers,
        IEnumerable<GateSnapshot> gates, IEnumerable<string> deletedGates)
    {
        lock (_publishing)
        {
            PublishPoliciesLocked(breakers, deletedBreakers, gates, deletedGates);
        }
    }

    /// <summary>One commit's checks, breakers and gates under one lock, so a gate is never judged from checks of
    /// one commit and breakers of another. Called by the loop only, after a commit.</summary>
    public void Publish(IEnumerable<CheckSnapshot> changed, IEnumerable<string> deleted, IReadOnlyList<(string, string)>? faults,
        IEnumerable<BreakerSnapshot> breakers, IEnumerable<string> deletedBreakers, IEnumerable<GateSnapshot> gates, IEnumerable<string> deletedGates)
    {
        lock (_publishing)
        {
            PublishChecks(changed, deleted, faults);
            PublishPoliciesLocked(breakers, deletedBreakers, gates, deletedGates);
        }
    }

    private void PublishPoliciesLocked(IEnumerable<BreakerSnapshot> breakers, IEnumerable<string> deletedBreakers,
        IEnumerable<GateSnapshot> gates, IEnumerable<string> deletedGates)
    {
        var any = false;
        foreach (var breaker in breakers) { _breakers[breaker.Name] = breaker; any = true; }
        foreach (var name in deletedBreakers) any |= _breakers.TryRemove(name, out _);
        foreach (var gate in gates) { _gates[gate.Name] = gate; any = true; }
        foreach (var name in deletedGates) any |= _gates.TryRemove(name, out _);
        if (any) GatesMayHaveChanged();
    }

    private void GatesMayHaveChanged() => Interlocked.Increment(ref _gateVersion);

    private GateVerdicts Verdicts()
    {
        var verdicts = _verdicts;
        if (verdicts is not null && verdicts.Version == Interlocked.Read(ref _gateVersion))
        {
            return verdicts;
        }

        lock (_publishing)
        {
            var version = Interlocked.Read(ref _gateVersion);
            if (_verdicts is { } current && current.Version == version)
            {
                return current;
            }

            var notOk = NotOk();
            var views = new Dictionary<string, GateView>(StringComparer.Ordinal);
            foreach (var gate in _gates.Values)
            {
                views[gate.Name] = new GateView(gate, GateJudge.Reasons(gate, notOk, Find, Breaker));
            }

            _verdicts = new GateVerdicts(version, views);
            return _verdicts;
        }
    }
}

/// <summary>A gate and why it is closed (no reasons: open).</summary>
internal sealed record GateView(GateSnapshot Gate, IReadOnlyList<GateReason> Reasons)
{
    public string Name => Gate.Name;

    public bool Open => Reasons.Count == 0;
}
