namespace Vigil.Domain.Probes.Definitions;

/// <summary>The unit of an epoch number read by <c>http_time</c> (<c>unit: s | ms</c>).</summary>
public enum TimeUnit { Seconds, Milliseconds }
