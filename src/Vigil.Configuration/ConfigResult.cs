namespace Vigil.Configuration;

/// <summary>Either a configuration or every problem found in the file (never both).</summary>
public sealed record ConfigResult
{
    private ConfigResult(VigilConfig? config, IReadOnlyList<ConfigProblem> problems)
    {
        Config = config;
        Problems = problems;
    }

    public VigilConfig? Config { get; }

    /// <summary>Every problem, in file order; empty when <see cref="Config"/> is set.</summary>
    public IReadOnlyList<ConfigProblem> Problems { get; }

    public bool IsValid => Config is not null;

    internal static ConfigResult Success(VigilConfig config) => new(config, []);

    internal static ConfigResult Failure(IReadOnlyList<ConfigProblem> problems) => new(null, problems);
}
