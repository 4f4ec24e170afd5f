using Vigil.Domain.Checks;

namespace Vigil.Domain.Evaluation;

/// <summary>
/// A check as it was at one commit: its definition, a private copy of its state, and when it is next due.
/// Readers (the API, health, metrics, gates, the dashboard) use these instead of asking the writer, so a
/// flood of reads never slows a ping. Treat <see cref="State"/> as read-only.
/// </summary>
public sealed record CheckSnapshot(CheckDefinition Definition, CheckState State, DateTimeOffset? NextDeadline, DateTimeOffset? NextExpected, string? Fault)
{
    public string Name => Definition.Name;

    /// <summary>The level health counts: a check whose evaluation failed is critical whatever its alerts say.</summary>
    public Level Level => Fault is null ? State.Level : Level.Critical;
}
