using Microsoft.Extensions.Logging;

namespace Vigil.Client;

/// <summary>What the monitoring helpers and leases log, with stable event ids (100–199). Never a key or token.</summary>
internal static partial class MonitoringLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Vigil: the {Kind} ping of '{Check}' was not recorded ({Reason}); the job goes on")]
    public static partial void PingNotRecorded(ILogger logger, string kind, string check, string reason);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "Vigil: could not take the lease of '{Check}' ({Reason}); the job runs unmonitored")]
    public static partial void LeaseUnmonitored(ILogger logger, string check, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Vigil: could not renew the lease of '{Check}' ({Reason}); still holding it as far as this process knows, next try in {Interval}")]
    public static partial void RenewFailed(ILogger logger, string check, string reason, TimeSpan interval);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "Vigil: the lease of '{Check}' was lost ({Reason}); stop acting on it (fencing token {FencingToken})")]
    public static partial void LeaseLost(ILogger logger, string check, string reason, long? fencingToken);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Vigil: the {Outcome} release of the lease of '{Check}' was not recorded ({Reason})")]
    public static partial void ReleaseNotRecorded(ILogger logger, string outcome, string check, string reason);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "Vigil: the lease of '{Check}' had expired or was taken over before its {Outcome} release; Vigil recorded the outcome as a late report")]
    public static partial void ReleasedLate(ILogger logger, string check, string outcome);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "Vigil: the key file {Path} cannot be read ({Reason}); calls that need a key will fail")]
    public static partial void KeyFileUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 107, Level = LogLevel.Error, Message = "Vigil: a callback registered on the lost token of the lease of '{Check}' threw")]
    public static partial void LostCallbackFailed(ILogger logger, string check, Exception exception);

    [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "Vigil: the lease of '{Check}' was disposed without a release; releasing it as fail")]
    public static partial void DisposedWithoutRelease(ILogger logger, string check);
}
