namespace Vigil.Domain.Evaluation;

/// <summary>
/// Something that must happen at a time: a check's next deadline (late, down, an open run's max_runtime, a
/// lease's expiry, stale data, the end of a flapping window) and, as Vigil grows, breaker cooldowns, probe
/// schedules, silence ends, group waits and remediation steps. All of them wait in one
/// <see cref="DeadlineHeap"/>; the loop sleeps until the earliest.
/// </summary>
public abstract class Obligation
{
    /// <summary>The position in the heap, or -1 when not scheduled. Owned by <see cref="DeadlineHeap"/>.</summary>
    internal int HeapIndex { get; set; } = -1;

    /// <summary>When it falls due. Meaningful only while scheduled.</summary>
    public DateTimeOffset Due { get; internal set; }

    public bool Scheduled => HeapIndex >= 0;

    /// <summary>A short name for logs and health when acting on it failed.</summary>
    public abstract string Describe();
}
