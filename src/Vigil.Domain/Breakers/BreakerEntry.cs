using Vigil.Domain.Evaluation;

namespace Vigil.Domain.Breakers;

/// <summary>A breaker as the evaluator holds it. It is a <see cref="TimedObligation"/> in the evaluator's one
/// deadline heap, due at its cooldown end or its earliest probe expiry, so an open breaker becomes half-open
/// and a dead prober's slot is freed by the clock alone, whether or not anyone calls.</summary>
internal sealed class BreakerEntry(BreakerDefinition definition, BreakerState state, Func<BreakerEntry, DateTimeOffset, DateTimeOffset?> fire)
    : TimedObligation
{
    public BreakerDefinition Definition { get; set; } = definition;
    public BreakerState State { get; set; } = state;

    /// <summary>When something about this breaker must happen by itself next, or null.</summary>
    public DateTimeOffset? NextDue()
    {
        DateTimeOffset? due = State.Status == BreakerStatus.Open ? State.CooldownUntil : null;
        foreach (var probe in State.Probes)
        {
            if (due is null || probe.ExpiresAt < due) due = probe.ExpiresAt;
        }

        return due == DateTimeOffset.MaxValue ? null : due;
    }

    // A breaker's deadlines raise no alarm (a cooldown ending only lets probes through; an expired probe only
    // frees a slot), so they act on time after a blind span instead of waiting out the startup grace.
    protected internal override bool WaitsOutBlindSpan => false;

    protected internal override DateTimeOffset? Fire(DateTimeOffset now) => fire(this, now);

    public override string Describe() => $"breaker '{Definition.Name}'";
}
