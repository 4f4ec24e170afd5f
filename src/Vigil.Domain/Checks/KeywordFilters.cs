namespace Vigil.Domain.Checks;

/// <summary>Classifies a ping by its body, failure first, as Healthchecks' keyword filters do.</summary>
public sealed record KeywordFilters(IReadOnlyList<string> Success, IReadOnlyList<string> Failure, IReadOnlyList<string> Start)
{
    public bool IsEmpty => Success.Count == 0 && Failure.Count == 0 && Start.Count == 0;
}
