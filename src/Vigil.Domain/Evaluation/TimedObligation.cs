namespace Vigil.Domain.Evaluation;

/// <summary>
/// An obligation that belongs to no check (a breaker's cooldown end, a silence's end, a group's wait): it
/// shares the checks' heap and the loop's sleep, and the evaluator fires it when it falls due.
/// </summary>
public abstract class TimedObligation : Obligation
{
    /// <summary>Acts at <paramref name="now"/>; returns when it falls due next, or null when it is done.</summary>
    protected internal abstract DateTimeOffset? Fire(DateTimeOffset now);

    /// <summary>True (the default) when falling due inside a blind span moves it to after the startup grace, as
    /// check deadlines do; false for obligations that raise no alarm and must act on time (a breaker's cooldown).</summary>
    protected internal virtual bool WaitsOutBlindSpan => true;
}
