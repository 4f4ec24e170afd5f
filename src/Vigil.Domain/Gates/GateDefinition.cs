using Vigil.Domain.Checks;

namespace Vigil.Domain.Gates;

/// <summary>
/// A gate as declared in vigil.yaml: the question a program asks before something risky. It covers checks by
/// name or tag and breakers by name; <see cref="StartClosed"/> engages its kill switch at every start of Vigil,
/// so someone must release it deliberately.
/// </summary>
public sealed record GateDefinition
{
    public required string Name { get; init; }
    public IReadOnlyList<string> CheckNames { get; init; } = [];
    public IReadOnlyList<string> CheckTags { get; init; } = [];

    /// <summary>The highest level a covered check may be at while the gate is open. The default is ok.</summary>
    public Level MaxLevel { get; init; } = Level.Ok;
    public IReadOnlyList<string> Breakers { get; init; } = [];
    public bool StartClosed { get; init; }

    /// <summary>True when the check named <paramref name="name"/> with <paramref name="tags"/> is covered.</summary>
    public bool Covers(string name, IReadOnlyList<string> tags)
    {
        foreach (var n in CheckNames)
        {
            if (n == name) return true;
        }

        foreach (var tag in CheckTags)
        {
            foreach (var t in tags)
            {
                if (t == tag) return true;
            }
        }

        return false;
    }

    public IEnumerable<(string Field, string Message)> Validate(ISet<string> breakers)
    {
        if (!CheckName.IsValid(Name)) yield return ("name", CheckName.Problem(Name).Replace("check name", "gate name", StringComparison.Ordinal));
        foreach (var breaker in Breakers.Where(b => !breakers.Contains(b)))
        {
            yield return ("breakers", $"'{breaker}' is not a declared breaker");
        }
    }
}
