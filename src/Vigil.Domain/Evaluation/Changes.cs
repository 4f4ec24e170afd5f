using Vigil.Domain.Checks;
using Vigil.Domain.Intake;
using Vigil.Domain.Notifications;

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

    /// <summary>Records of the alert intake (Alertmanager deduplication) written or removed, in the order to apply them.</summary>
    public List<IntakeChange> Intake { get; } = [];
    public DateTimeOffset? AliveAt { get; set; }

    /// <summary>Obligations whose handling threw and was set aside in this batch: the loop logs them as critical.
    /// Nothing of theirs is committed.</summary>
    public List<(string Obligation, string Fault)> Faults { get; } = [];

    /// <summary>Set when the highest fencing token ever issued grew; the store keeps it across deletes.</summary>
    public long? FencingHighWater { get; set; }

    public bool IsEmpty =>
        Checks.Count == 0 && DeletedChecks.Count == 0 && Events.Count == 0 && Runs.Count == 0
        && Notifications.Count == 0 && Outbox.Count == 0 && Silences.Count == 0 && Intake.Count == 0 && AliveAt is null && FencingHighWater is null;

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
        Intake.AddRange(command.Intake);
        if (command.AliveAt is { } alive && (AliveAt is null || alive > AliveAt)) AliveAt = alive;
        if (command.FencingHighWater is { } fencing && (FencingHighWater is null || fencing > FencingHighWater)) FencingHighWater = fencing;
    }

    internal void Run(RunRecord run) => Runs[(run.Check, run.Rid)] = run;
}
