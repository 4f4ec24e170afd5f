using Vigil.Domain.Checks;

namespace Vigil.Domain.Evaluation;

/// <summary>
/// A probe run that fell due: the evaluator does no I/O, it asks for the run and marks it in flight. The
/// definition travels with the request (immutable), so the scheduler builds the probe from exactly what the
/// evaluator judged with, and rebuilds it when a new definition arrives. <see cref="DueAt"/> is the slot the
/// run was due at: the scheduler's lag is measured from it. Its result names <see cref="Run"/>.
/// </summary>
public sealed record ProbeRequest(string Check, CheckDefinition Definition, DateTimeOffset DueAt, Guid Run)
{
    /// <summary>True when the check's definition was not created or replaced since the last batch was taken: it is
    /// already durable, so the run may start before this batch commits (the request itself is never written). A run
    /// under a definition the batch brings waits for the commit: a refused reload must never run a probe.</summary>
    public bool Settled { get; init; }
}
