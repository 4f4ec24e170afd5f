namespace Vigil.Domain.Probes;

/// <summary>Why a condition did not parse, and where: <see cref="Index"/> is the 0-based offset in the text of
/// the part that is wrong, so the configuration can point its column at it.</summary>
public sealed record ConditionError(int Index, string Message);
