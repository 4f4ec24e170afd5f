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

    /// <summary>Delivery outcomes reported by the dispatcher, applied in the same transaction as the rest.</summary>
    public List<OutboxMark> OutboxMarks { get; } = [];
    public DateTimeOffset? AliveAt { get; set; }

    public bool IsEmpty =>
        Checks.Count == 0 && DeletedChecks.Count == 0 && Events.Count == 0 && Runs.Count == 0
        && Notifications.Count == 0 && Outbox.Count == 0 && OutboxMarks.Count == 0 && AliveAt is null;

    internal void Touch(CheckDefinition definition, CheckState state)
    {
        Checks[definition.Name] = (definition, state);
        DeletedChecks.Remove(definition.Name);
    }

    internal void Run(RunRecord run) => Runs[(run.Check, run.Rid)] = run;
}
