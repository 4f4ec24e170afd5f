using Vigil.Domain.Checks;

namespace Vigil.Domain.Evaluation;

/// <summary>
/// A probe run that fell due: the evaluator does no I/O, it asks for the run and marks it in flight. The
/// definition travels with the request (immutable), so the scheduler builds the probe from exactly what the
/// evaluator judged with, and rebuilds it when a new definition arrives. <see cref="DueAt"/> is the slot the
/// run was due at: the scheduler's lag is measured from it. Its result names <see cref="Run"/>.
/// </summary>
public sealed record ProbeRequest(string Check, CheckDefinition Definition, DateTimeOffset DueAt, Guid Run);
