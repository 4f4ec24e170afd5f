namespace Vigil.Domain.Evaluation;

/// <summary>The <c>type</c> of a <see cref="CheckEvent"/>.</summary>
public static class EventTypes
{
    public const string Success = "success";
    public const string Fail = "fail";
    public const string Start = "start";
    public const string Log = "log";
    public const string LeaseAcquired = "lease_acquired";
    public const string LeaseRenewed = "lease_renewed";
    public const string LeaseReleased = "lease_released";
    public const string LeaseExpired = "lease_expired";
    public const string LateReport = "late_report";
    public const string Status = "status";
    public const string AlertFiring = "alert_firing";
    public const string AlertResolved = "alert_resolved";

    /// <summary>A firing alert was sent again (its routes' <c>repeat_interval</c>).</summary>
    public const string AlertRepeated = "alert_repeated";
    public const string ClientClockAhead = "client_clock_ahead";
    public const string Ignored = "ignored";
    public const string RunEnded = "run_ended";
    public const string Created = "created";
    public const string Updated = "updated";
    public const string VigilRestarted = "vigil_restarted";

    /// <summary>A probe check's judged result; the reason is the measurement's sentence.</summary>
    public const string Probe = "probe";

    /// <summary>A probe run in flight was dropped (Vigil restarted or was not watching) and runs again.</summary>
    public const string ProbeRerun = "probe_rerun";

    /// <summary>Vigil's running mode changed (no check: <see cref="CheckEvent.Check"/> is empty).</summary>
    public const string ModeChanged = "mode_changed";
    public const string NotificationUnrouted = "notification_unrouted";
}
