namespace Vigil.Configuration.Tests;

/// <summary>Helpers: YAML text through the loader, temp directories, the repository root.</summary>
internal static class TestConfig
{
    public static readonly IReadOnlyDictionary<string, string?> NoEnv = new Dictionary<string, string?>();

    public static ConfigResult Load(string yaml, IReadOnlyDictionary<string, string?>? env = null) =>
        ConfigLoader.LoadText(yaml, "/etc/vigil/vigil.yaml", env ?? NoEnv);

    public static VigilConfig Valid(string yaml, IReadOnlyDictionary<string, string?>? env = null)
    {
        var result = Load(yaml, env);
        Assert.True(result.IsValid, "expected no problems, got:\n" + string.Join('\n', result.Problems));
        return result.Config!;
    }

    public static IReadOnlyList<ConfigProblem> Problems(string yaml, IReadOnlyDictionary<string, string?>? env = null)
    {
        var result = Load(yaml, env);
        Assert.False(result.IsValid, "expected problems, the file loaded");
        Assert.NotEmpty(result.Problems);
        return result.Problems;
    }

    /// <summary>The single problem whose message contains <paramref name="fragment"/>.</summary>
    public static ConfigProblem Single(IReadOnlyList<ConfigProblem> problems, string fragment)
    {
        var matching = problems.Where(p => p.Message.Contains(fragment, StringComparison.Ordinal)).ToList();
        Assert.True(matching.Count == 1, $"expected one problem containing '{fragment}', got:\n" + string.Join('\n', problems));
        return matching[0];
    }

    public static void At(ConfigProblem problem, int line, int column)
    {
        Assert.True(problem.Line == line && problem.Column == column, $"expected {line}:{column}, got {problem}");
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Vigil.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Vigil.slnx not found above " + AppContext.BaseDirectory);
    }

    public static Dictionary<string, string?> Env(params (string Name, string? Value)[] pairs) =>
        pairs.ToDictionary(p => p.Name, p => p.Value);
}
