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

    [LoggerMessage(12, LogLevel.Error, "The outbox dispatcher could not reach the store")]
    public static partial void DispatcherFailed(ILogger logger, Exception error);

    [LoggerMessage(13, LogLevel.Error, "The delivery lane of receiver {Receiver} failed; it restarts in {Delay}")]
    public static partial void LaneFailed(ILogger logger, Exception error, string receiver, TimeSpan delay);

    [LoggerMessage(14, LogLevel.Warning, "Receiver {Receiver} is no longer configured: {Rows} pending notification(s) to it were abandoned and will not be retried")]
    public static partial void OutboxAbandoned(ILogger logger, string receiver, int rows);

    [LoggerMessage(15, LogLevel.Error, "{Marks} delivery outcome(s) could not be recorded; their notifications are delivered again once their claims run out")]
    public static partial void RecordFailed(ILogger logger, Exception error, int marks);

    [LoggerMessage(16, LogLevel.Information, "Released {Rows} outbox claim(s) left by an earlier run; those notifications are delivered again")]
    public static partial void ClaimsReleased(ILogger logger, int rows);

    [LoggerMessage(17, LogLevel.Warning, "No route sends the {Alert} {State} notification for {Check} to any receiver; nobody was told (recorded as a {EventType} event)")]
    public static partial void NotificationUnrouted(ILogger logger, string alert, string state, string check, string eventType);

    [LoggerMessage(20, LogLevel.Warning, "First start: created an admin API key and wrote it to {Path} (mode 0600); the key itself is not logged")]
    public static partial void AdminKeyCreated(ILogger logger, string path);

    [LoggerMessage(21, LogLevel.Information, "Vigil is listening on {Urls}; dashboard at {Dashboard}")]
    public static partial void Listening(ILogger logger, string urls, string dashboard);

    [LoggerMessage(22, LogLevel.Warning, "{Message}")]
    public static partial void Reload(ILogger logger, string message);

    [LoggerMessage(40, LogLevel.Information, "Audit: {Key} did {Action} on {Target}: {Reason}")]
    public static partial void Audited(ILogger logger, string key, string action, string target, string reason);

    [LoggerMessage(41, LogLevel.Warning, "Breaker {Breaker}: breaker_open {State}: {Reason}")]
    public static partial void BreakerAlert(ILogger logger, string breaker, string state, string reason);
    [LoggerMessage(70, LogLevel.Information, "Alertmanager ({Receiver}) delivered {Received} alerts: {Accepted} new, {Deduplicated} seen before, {HeldBack} held back by silences")]
    public static partial void AlertsReceived(ILogger logger, int received, string receiver, int accepted, int deduplicated, int heldBack);

    [LoggerMessage(71, LogLevel.Warning, "An Alertmanager delivery reused an Idempotency-Key first seen at {FirstSeen} with a different payload; refused with 409")]
    public static partial void IntakeConflict(ILogger logger, string firstSeen);

    [LoggerMessage(72, LogLevel.Information, "Test notification through receiver {Receiver}: delivered={Delivered} ({Result})")]
    public static partial void ReceiverTested(ILogger logger, string receiver, bool delivered, string result);

    [LoggerMessage(30, LogLevel.Error, "Unhandled error serving {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, Exception error, string method, string path);

    // Probes and modes: 40-59.
    [LoggerMessage(40, LogLevel.Critical, "The probe scheduler's dispatcher failed (restart {Restarts}); it is restarted and what it held is answered or queued again")]
    public static partial void ProbeDispatcherFailed(ILogger logger, Exception error, int restarts);

    [LoggerMessage(41, LogLevel.Warning, "After the probe dispatcher failed, {Requeued} check(s) with waiting runs were queued again")]
    public static partial void ProbeQueueRecovered(ILogger logger, int requeued);

    [LoggerMessage(42, LogLevel.Critical, "A probe lane for {Check} failed outside its probe; the run is answered unmeasurable with the cause")]
    public static partial void ProbeLaneFailed(ILogger logger, Exception error, string check);

    [LoggerMessage(43, LogLevel.Error, "The probe of {Check} could not be set up; its runs are answered unmeasurable")]
    public static partial void ProbeBuildFailed(ILogger logger, Exception error, string check);

    [LoggerMessage(44, LogLevel.Warning, "The writer did not take the probe result of {Check} (attempt {Attempt}: {Why}); offering it again")]
    public static partial void ProbeResultRetried(ILogger logger, string check, int attempt, string why);

    [LoggerMessage(45, LogLevel.Error, "The probe result of {Check} was given up ({Why}); the writer reports the run lost at its deadline and asks again")]
    public static partial void ProbeResultDropped(ILogger logger, string check, string why);

    [LoggerMessage(46, LogLevel.Warning, "Disposing the probe of {Check} failed")]
    public static partial void ProbeDisposeFailed(ILogger logger, Exception error, string check);

    [LoggerMessage(47, LogLevel.Warning, "{Runs} probe run(s) did not stop within 10 s of shutdown; they are abandoned")]
    public static partial void ProbeRunsStillGoing(ILogger logger, int runs);

    [LoggerMessage(48, LogLevel.Information, "{Dropped} probe run(s) in flight when Vigil stopped were dropped; they run again now")]
    public static partial void ProbesRestarted(ILogger logger, int dropped);

    [LoggerMessage(50, LogLevel.Warning, "Mode changed from {From} to {To} by {By}: {Reason}")]
    public static partial void ModeChanged(ILogger logger, string from, string to, string by, string reason);

    [LoggerMessage(51, LogLevel.Information, "Running in mode {Mode} ({Source})")]
    public static partial void RunningMode(ILogger logger, string mode, string source);

    [LoggerMessage(60, LogLevel.Warning, "{Receiver} has failed since {Since} ({Error}); {Alert} {State} for {Check} was delivered by failover receiver {Via} instead")]
    public static partial void DeliveredViaFailover(ILogger logger, string receiver, DateTimeOffset since, string error, string alert, string state, string check, string via);

    [LoggerMessage(62, LogLevel.Information, "Delivered a digest of {Count} alerts to {Receiver} (key {Key}, attempt {Attempt})")]
    public static partial void DeliveredDigest(ILogger logger, int count, string receiver, string key, int attempt);

    [LoggerMessage(61, LogLevel.Error, "Failover receiver {Via} could not take over from {Receiver} either: {Error}")]
    public static partial void FailoverFailed(ILogger logger, string via, string receiver, string error);

    [LoggerMessage(73, LogLevel.Information, "Pruned {Removed} audit entries older than {Before} (audit.retention)")]
    public static partial void AuditPruned(ILogger logger, int removed, DateTimeOffset before);

    [LoggerMessage(74, LogLevel.Error, "Pruning the audit log failed; trying again in {RetryIn}")]
    public static partial void AuditPruneFailed(ILogger logger, Exception error, TimeSpan retryIn);
}
