namespace Vigil.Domain.Breakers;

/// <summary>A breaker's state. <see cref="Closed"/>, <see cref="Open"/> and <see cref="HalfOpen"/> follow the
/// reports; <see cref="ForcedOpen"/> and <see cref="Disabled"/> are an operator's override until forced
/// <c>auto</c> (or <c>closed</c>).</summary>
public enum BreakerStatus { Closed, Open, HalfOpen, ForcedOpen, Disabled }

/// <summary>What an operator may force a breaker to.</summary>
public enum BreakerForce { Open, Closed, Disabled, Auto }

/// <summary>What a caller reports after a call the breaker protects.</summary>
public enum BreakerOutcome { Success, Failure }

public static class BreakerText
{
    public static string Text(this BreakerStatus status) => status switch
    {
        BreakerStatus.Closed => "closed",
        BreakerStatus.Open => "open",
        BreakerStatus.HalfOpen => "half_open",
        BreakerStatus.ForcedOpen => "forced_open",
        _ => "disabled",
    };

    public static string Text(this BreakerForce force) => force.ToString().ToLowerInvariant();

    public static bool TryParseForce(string? text, out BreakerForce force)
    {
        switch (text)
        {
            case "open": force = BreakerForce.Open; return true;
            case "closed": force = BreakerForce.Closed; return true;
            case "disabled": force = BreakerForce.Disabled; return true;
            case "auto": force = BreakerForce.Auto; return true;
            default: force = BreakerForce.Auto; return false;
        }
    }
}
