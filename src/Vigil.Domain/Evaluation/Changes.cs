using Vigil.Domain.Checks;
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

    /// <summary>True when there is nothing for the store (probe requests are not written).</summary>
    public bool IsEmpty =>
        Checks.Count == 0 && DeletedChecks.Count == 0 && Events.Count == 0 && Runs.Count == 0
        && Notifications.Count == 0 && Outbox.Count == 0 && Silences.Count == 0 && AliveAt is null && FencingHighWater is null
        && ModeChanged is null && ChosenMode is null;

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
        if (command.AliveAt is { } alive && (AliveAt is null || alive > AliveAt)) AliveAt = alive;
        if (command.FencingHighWater is { } fencing && (FencingHighWater is null || fencing > FencingHighWater)) FencingHighWater = fencing;
        ProbeRequests.AddRange(command.ProbeRequests);
        ModeChanged = command.ModeChanged ?? ModeChanged;
        ChosenMode = command.ChosenMode ?? ChosenMode;
    }

    internal void Run(RunRecord run) => Runs[(run.Check, run.Rid)] = run;
}
