namespace Vigil.Domain.Checks;

/// <summary>A probe run the evaluator asked for and has no result of yet: the slot it was due at, when it was
/// asked for, and the run's id, which its result must name, so a late answer to an older request (one asked for
/// before a redefinition or a restart, even at the same instant) is recognised as stale.</summary>
public sealed record ProbeInFlight(DateTimeOffset DueAt, DateTimeOffset RequestedAt, Guid Run);
