namespace Vigil.Domain.Intake;

/// <summary>One change to the intake's records, in the order the store must apply it: an upsert, or a delete when
/// <see cref="Record"/> is null.</summary>
public readonly record struct IntakeChange(string Key, IntakeRecord? Record);
