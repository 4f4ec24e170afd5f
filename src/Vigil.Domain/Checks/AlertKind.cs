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
    public const string BreakerOpen = "breaker_open";
}
