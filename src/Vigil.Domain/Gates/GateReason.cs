namespace Vigil.Domain.Gates;

/// <summary>One reason a gate is closed: <c>kill</c>, <c>check</c> or <c>breaker</c>, what, and why.</summary>
public sealed record GateReason(string Kind, string Name, string Detail)
{
    public const string KillKind = "kill";
    public const string CheckKind = "check";
    public const string BreakerKind = "breaker";
}
