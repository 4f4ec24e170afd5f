using Vigil.Configuration.Yaml;

namespace Vigil.Configuration.Parsing;

/// <summary>Collects problems and makes sure no secret value ends up in one of their messages.</summary>
internal sealed class Problems(string file)
{
    /// <summary>Shorter secrets are only hidden where quoted, so that a value like "8470" does not
    /// mangle unrelated text.</summary>
    private const int ShortestScrubbedSecret = 8;
    private readonly List<ConfigProblem> _problems = [];
    private readonly HashSet<string> _secrets = new(StringComparer.Ordinal);

    public string File { get; } = file;

    public int Count => _problems.Count;

    public void Add(YNode node, string message) => Add(node.Line, node.Column, message);

    public void Add(int line, int column, string message) => _problems.Add(new ConfigProblem(File, line, column, message));

    /// <summary>Remembers a value that must never be shown.</summary>
    public void Secret(string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            _secrets.Add(value);
        }
    }

    public IReadOnlyList<ConfigProblem> Finish()
    {
        var ordered = _problems
            .Select(p => p with { Message = Scrub(p.Message) })
            .Distinct()
            .OrderBy(p => p.Line)
            .ThenBy(p => p.Column)
            .ToList();
        return ordered;
    }

    private string Scrub(string message)
    {
        foreach (var secret in _secrets.OrderByDescending(s => s.Length))
        {
            message = message.Replace($"'{secret}'", "the value", StringComparison.Ordinal);
            if (secret.Length >= ShortestScrubbedSecret)
            {
                message = message.Replace(secret, "(the value)", StringComparison.Ordinal);
            }
        }

        return message;
    }
}
