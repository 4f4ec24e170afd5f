namespace Vigil.Domain.Probes;

/// <summary>What a quantity's number means: seconds are written as durations (<c>10m</c>), bytes may carry a
/// size suffix (<c>512MiB</c>), a percentage may end in <c>%</c>.</summary>
public enum QuantityUnit { Number, Seconds, Bytes, Percent }
