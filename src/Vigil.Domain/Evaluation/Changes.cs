using Vigil.Domain.Audit;
using Vigil.Domain.Breakers;
using Vigil.Domain.Checks;
using Vigil.Domain.Gates;
using Vigil.Domain.Intake;
using Vigil.Domain.Notifications;
using Vigil.Domain.Security;

namespace Vigil.Domain.Evaluation;

/// <summary>Everything one batch of commands changed: committed to the store in one transaction before
/// any request of the batch is acknowledged.</summary>
public sealed class Changes
{
    public Dictionary<string, (CheckDefinition Definition, CheckState State)> Checks { get; } = new(StringComparer.Ordinal);
    public HashSet<string> DeletedChecks { get; } = new(StringComparer.Ordinal);
    public List<CheckEvent> Events { get; } = [];
    public Dictionary<(string Check, Guid Rid), RunRecord> Runs { get; } = [];
    public List<Notification> Notifications { get; } = [];
    public List<OutboxEntry> Outbox { get; } = [];

    /// <summary>Silences added or expired (upserted by id).</summary>
    public List<Silence> Silences { get; } = [];

    /// <summary>Delivery outcomes reported by the dispatcher, applied in the same transaction as the rest.</summary>
    public List<OutboxMark> OutboxMarks { get; } = [];
    /// <summary>Records of the alert intake (Alertmanager deduplication) written or removed, in the order to apply them.</summary>
    public List<IntakeChange> Intake { get; } = [];
    public DateTimeOffset? AliveAt { get; set; }

    /// <summary>Obligations whose handling threw and was set aside in this batch: the loop logs them as critical.
    /// Nothing of theirs is committed.</summary>
    public List<(string Obligation, string Fault)> Faults { get; } = [];

    /// <summary>Set when the highest fencing token ever issued grew; the store keeps it across deletes.</summary>
    public long? FencingHighWater { get; set; }

    /// <summary>Probe runs that fell due, for the probe scheduler: at once when <see cref="ProbeRequest.Settled"/> (the
    /// definition is already durable), else once this batch is (a run is never started under a definition that could
    /// still be rolled back). Nothing for the store: a batch holding only these skips the commit.</summary>
    public List<ProbeRequest> ProbeRequests { get; } = [];

    /// <summary>Vigil's running mode changed in this batch: the hook the audit log takes its entry from.</summary>
    public Modes.ModeChanged? ModeChanged { get; set; }

    /// <summary>The mode chosen through the API, to persist: a restart keeps it unless VIGIL_MODE forces one.</summary>
    public string? ChosenMode { get; set; }

    /// <summary>Breakers changed in this batch, by name; the store writes each state once, as it is at commit.</summary>
    public Dictionary<string, (BreakerDefinition Definition, BreakerState State)> Breakers { get; } = new(StringComparer.Ordinal);
    public HashSet<string> DeletedBreakers { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, (GateDefinition Definition, GateState State)> Gates { get; } = new(StringComparer.Ordinal);
    public HashSet<string> DeletedGates { get; } = new(StringComparer.Ordinal);

    /// <summary>Who did what, in the same transaction as what they did.</summary>
    public List<AuditEntry> Audit { get; } = [];

    /// <summary>API keys created through the API, and keys revoked, with their audit entries.</summary>
    public List<ApiKey> Keys { get; } = [];
    public List<(string Name, DateTimeOffset At)> RevokedKeys { get; } = [];

    /// <summary>True when there is nothing for the store (probe requests are not written).</summary>
    public bool IsEmpty =>
        Checks.Count == 0 && DeletedChecks.Count == 0 && Events.Count == 0 && Runs.Count == 0
        && Notifications.Count == 0 && Outbox.Count == 0 && OutboxMarks.Count == 0 && Silences.Count == 0 && Intake.Count == 0 && AliveAt is null && FencingHighWater is null
        && Breakers.Count == 0 && DeletedBreakers.Count == 0 && Gates.Count == 0 && DeletedGates.Count == 0
        && Audit.Count == 0 && Keys.Count == 0 && RevokedKeys.Count == 0 && ModeChanged is null && ChosenMode is null;

    internal void Touch(CheckDefinition definition, CheckState state)
    {
        Checks[definition.Name] = (definition, state);
        DeletedChecks.Remove(definition.Name);
    }

    /// <summary>Adds what one successful command changed to this batch.</summary>
    internal void Absorb(Changes command)
    {
        foreach (var name in command.DeletedChecks)
        {
            Checks.Remove(name);
            DeletedChecks.Add(name);
        }

        foreach (var (name, check) in command.Checks)
        {
            Checks[name] = check;
            DeletedChecks.Remove(name);
        }

        Events.AddRange(command.Events);
        foreach (var (key, run) in command.Runs)
        {
            Runs[key] = run;
        }

        Notifications.AddRange(command.Notifications);
        Outbox.AddRange(command.Outbox);
        Silences.AddRange(command.Silences);
        OutboxMarks.AddRange(command.OutboxMarks);
        AbsorbPolicies(command);
        Intake.AddRange(command.Intake);
        if (command.AliveAt is { } alive && (AliveAt is null || alive > AliveAt)) AliveAt = alive;
        if (command.FencingHighWater is { } fencing && (FencingHighWater is null || fencing > FencingHighWater)) FencingHighWater = fencing;
        ProbeRequests.AddRange(command.ProbeRequests);
        ModeChanged = command.ModeChanged ?? ModeChanged;
        ChosenMode = command.ChosenMode ?? ChosenMode;
    }

    internal void Run(RunRecord run) => Runs[(run.Check, run.Rid)] = run;

    internal void Touch(BreakerDefinition definition, BreakerState state)
    {
        Breakers[definition.Name] = (definition, state);
        DeletedBreakers.Remove(definition.Name);
    }

    internal void Touch(GateDefinition definition, GateState state)
    {
        Gates[definition.Name] = (definition, state);
        DeletedGates.Remove(definition.Name);
    }

    private void AbsorbPolicies(Changes command)
    {
        foreach (var name in command.DeletedBreakers)
        {
            Breakers.Remove(name);
            DeletedBreakers.Add(name);
        }

        foreach (var (_, (definition, state)) in command.Breakers)
        {
            Touch(definition, state);
        }

        foreach (var name in command.DeletedGates)
        {
            Gates.Remove(name);
            DeletedGates.Add(name);
        }

        foreach (var (_, (definition, state)) in command.Gates)
        {
            Touch(definition, state);
        }

        Audit.AddRange(command.Audit);
        Keys.AddRange(command.Keys);
        RevokedKeys.AddRange(command.RevokedKeys);
    }
}
