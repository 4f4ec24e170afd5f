namespace Vigil.Domain.Checks;

/// <summary>Conditions that need people. Names are the spec's wire names.</summary>
public static class AlertKind
{
    public const string Down = "down";
    public const string DataStale = "data_stale";
    public const string TooOften = "too_often";
    public const string Flapping = "flapping";
    public const string VigilRestarted = "vigil_restarted";
    public const string DeliveryFailing = "delivery_failing";

    /// <summary>A probe check measured at its warning level (severity warning).</summary>
    public const string ProbeWarning = "probe_warning";

    /// <summary>A probe check measured critical <c>fail_after</c> times in a row (the check's severity).</summary>
    public const string ProbeCritical = "probe_critical";
    public const string BreakerOpen = "breaker_open";
}
