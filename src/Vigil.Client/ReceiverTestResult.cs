namespace Vigil.Client;

/// <summary>How a test notification through one receiver went (<see cref="VigilClient.TestReceiverAsync"/>).</summary>
/// <param name="Receiver">The receiver's name.</param>
/// <param name="Delivered">True when the receiver accepted the test notification.</param>
/// <param name="Error">When not delivered: the receiver's sentence saying what happened (never a secret).</param>
/// <param name="RetryAfterS">The receiver's own hint (a 429's Retry-After), in seconds, when it gave one.</param>
/// <param name="DurationMs">How long the attempt took.</param>
public sealed record ReceiverTestResult(string Receiver, bool Delivered, string? Error, double? RetryAfterS, long DurationMs);
