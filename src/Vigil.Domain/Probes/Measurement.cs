using Vigil.Domain.Checks;

namespace Vigil.Domain.Probes;

/// <summary>
/// One judged probe result, as stored and shown at <c>GET /api/v1/checks/{name}</c> (<c>measurement</c>):
/// when, the quantities measured (seconds for age, skew and latency), the level, and a reason a person reads
/// ("/srv/token.json's $.token.created_at is 6d 2h old (warn after 5d, critical after 7d)") or, when
/// <see cref="Unmeasurable"/>, why nothing could be measured.
/// </summary>
public sealed record Measurement(DateTimeOffset At, IReadOnlyDictionary<string, double> Quantities, Level Level, string Reason)
{
    /// <summary>True when the probe could not measure; <see cref="Level"/> is then the check's <c>unmeasurable</c> level.</summary>
    public bool Unmeasurable { get; init; }
}
