namespace Vigil.Server;

/// <summary>Every log line of the server, with stable event ids. Structured fields only; never a key or a secret.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Loaded {Checks} checks from {Store}")]
    public static partial void Loaded(ILogger logger, int checks, string store);

    [LoggerMessage(2, LogLevel.Warning, "Vigil was not watching from {From} to {To}; {Moved} checks had deadlines moved past the blind span")]
    public static partial void BlindSpan(ILogger logger, DateTimeOffset from, DateTimeOffset to, int moved);

    [LoggerMessage(3, LogLevel.Error, "The store did not accept a batch of {Commands} commands; they were refused and state was reloaded")]
    public static partial void CommitFailed(ILogger logger, Exception error, int commands);

    [LoggerMessage(4, LogLevel.Critical, "Reloading state from the store failed")]
    public static partial void ReloadFailed(ILogger logger, Exception error);

    [LoggerMessage(5, LogLevel.Critical, "A {Command} command threw and was rolled back; its request was answered 500")]
    public static partial void CommandFailed(ILogger logger, Exception error, string command);

    [LoggerMessage(6, LogLevel.Critical, "Acting on a deadline of {Obligation} failed and it was set aside: {Fault}")]
    public static partial void ObligationFailed(ILogger logger, string obligation, string fault);

    [LoggerMessage(7, LogLevel.Critical, "The writer loop failed on a batch of {Commands} commands; they were refused and state is reloaded from the store")]
    public static partial void WriterFailed(ILogger logger, Exception error, int commands);

    [LoggerMessage(8, LogLevel.Critical, "The writer loop gave up: {Reason}. Vigil stops acknowledging and exits non-zero so a supervisor restarts it")]
    public static partial void WriterGaveUp(ILogger logger, Exception error, string reason);

    [LoggerMessage(10, LogLevel.Information, "Delivered {Alert} {State} for {Check} to {Receiver} (attempt {Attempt})")]
    public static partial void Delivered(ILogger logger, string alert, string state, string check, string receiver, int attempt);

    [LoggerMessage(11, LogLevel.Warning, "Delivery to {Receiver} failed (attempt {Attempt}): {Error}; retrying in {Delay}")]
    public static partial void DeliveryFailed(ILogger logger, string receiver, int attempt, string error, TimeSpan delay);

    [LoggerMessage(12, LogLevel.Error, "The outbox dispatcher could not read the store")]
    public static partial void DispatcherFailed(ILogger logger, Exception error);

    [LoggerMessage(20, LogLevel.Warning, "First start: created an admin API key and wrote it to {Path} (mode 0600); the key itself is not logged")]
    public static partial void AdminKeyCreated(ILogger logger, string path);

    [LoggerMessage(21, LogLevel.Information, "Vigil is listening on {Urls}; dashboard at {Dashboard}")]
    public static partial void Listening(ILogger logger, string urls, string dashboard);

    [LoggerMessage(22, LogLevel.Warning, "{Message}")]
    public static partial void Reload(ILogger logger, string message);

    [LoggerMessage(70, LogLevel.Information, "Alertmanager ({Receiver}) delivered {Received} alerts: {Accepted} new, {Deduplicated} seen before, {HeldBack} held back by silences")]
    public static partial void AlertsReceived(ILogger logger, int received, string receiver, int accepted, int deduplicated, int heldBack);

    [LoggerMessage(71, LogLevel.Warning, "An Alertmanager delivery reused an Idempotency-Key first seen at {FirstSeen} with a different payload; refused with 409")]
    public static partial void IntakeConflict(ILogger logger, string firstSeen);

    [LoggerMessage(72, LogLevel.Information, "Test notification through receiver {Receiver}: delivered={Delivered} ({Result})")]
    public static partial void ReceiverTested(ILogger logger, string receiver, bool delivered, string result);

    [LoggerMessage(30, LogLevel.Error, "Unhandled error serving {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, Exception error, string method, string path);
}
