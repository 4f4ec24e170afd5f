namespace Vigil.Domain.Modes;

/// <summary>
/// Vigil's running mode changed: through the API (<see cref="By"/> names the key) or because the config file
/// changed on reload (<see cref="By"/> null). Carried in the batch's <c>Changes</c>, so whatever keeps an audit
/// trail takes it from the same transaction that made the change.
/// </summary>
public sealed record ModeChanged(string? From, string To, string Reason, string? By, DateTimeOffset At);
