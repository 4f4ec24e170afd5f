namespace Vigil.Domain.Breakers;

/// <summary>The calls reported in one slice of a breaker's rate window: counts only, never the calls themselves.</summary>
public sealed class CallBucket
{
    public DateTimeOffset Start { get; set; }
    public int Successes { get; set; }
    public int Failures { get; set; }

    public CallBucket Clone() => new() { Start = Start, Successes = Successes, Failures = Failures };
}
