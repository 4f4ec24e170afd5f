namespace Vigil.Domain.Checks;

/// <summary>One alert of a check: whether its condition holds, and what people were last told about it.
/// Keeping the two apart is what lets flapping damping hold notifications back and still owe the last word.</summary>
public sealed class AlertState
{
    public bool Firing { get; set; }
    public bool Notified { get; set; }
    public DateTimeOffset Since { get; set; }
    public string Reason { get; set; } = "";
    public Severity Severity { get; set; }

    /// <summary>Why the change people are owed is being held back (a silence, a maintenance window, a
    /// dependency that is down), or null. Shown on the API; the notification is sent when the reason ends.</summary>
    public string? HeldBack { get; set; }

    /// <summary>When people were last sent this alert firing (first time or a repeat); repeats count from here.</summary>
    public DateTimeOffset? NotifiedAt { get; set; }
}
