namespace Vigil.Configuration;

/// <summary>A recurring maintenance window: starts at every <see cref="Cron"/> occurrence in
/// <see cref="Tz"/> (local time kept across DST) and lasts <see cref="Duration"/>.</summary>
public sealed record SilenceConfig
{
    public AlertMatch Match { get; init; } = AlertMatch.All;
    public required string Cron { get; init; }
    public string Tz { get; init; } = "UTC";
    public required TimeSpan Duration { get; init; }
    public string? Reason { get; init; }
}
