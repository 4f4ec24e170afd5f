namespace Vigil.Domain.Checks;

/// <summary>A run that has started and not yet ended.</summary>
public sealed class OpenRun
{
    public Guid Rid { get; set; }

    /// <summary>True when the client gave no rid: a success or fail without a rid ends the newest such run.</summary>
    public bool Implicit { get; set; }
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>Start plus max_runtime, or null when nothing bounds this run but its lease.</summary>
    public DateTimeOffset? Deadline { get; set; }
    public string? Holder { get; set; }
    public string? LeaseToken { get; set; }
}
