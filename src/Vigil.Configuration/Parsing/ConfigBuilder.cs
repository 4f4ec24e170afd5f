using Vigil.Configuration.Yaml;
using Vigil.Domain.Checks;

namespace Vigil.Configuration.Parsing;

/// <summary>Turns the YAML tree into a <see cref="VigilConfig"/>, reporting every problem. Declared names
/// (checks, receivers, remediations, breakers) are collected first so that references can be checked
/// wherever they appear.</summary>
internal sealed partial class ConfigBuilder
{
    private static readonly string[] RootKeys =
    [
        "mode", "modes", "server", "storage", "ping", "metrics", "defaults", "checks", "receivers", "routes",
        "limits", "silences", "remediations", "breakers", "gates", "api_keys", "audit",
    ];

    private readonly Problems _problems;
    private readonly string _baseDirectory;
    private readonly IReadOnlyDictionary<string, string?> _env;
    private HashSet<string> _checkNames = [];
    private HashSet<string> _receiverNames = [];
    private HashSet<string> _remediationNames = [];
    private HashSet<string> _breakerNames = [];

    private ConfigBuilder(Problems problems, string baseDirectory, IReadOnlyDictionary<string, string?> env)
    {
        _problems = problems;
        _baseDirectory = baseDirectory;
        _env = env;
    }

    public static VigilConfig? Build(string text, string fullPath, string baseDirectory, IReadOnlyDictionary<string, string?> env, Problems problems)
    {
        var root = YamlTreeReader.Read(text, env, problems);
        var mapping = root switch
        {
            null => new YMapping(1, 1),
            YScalar { IsNull: true } => new YMapping(root.Line, root.Column),
            YMapping m => m,
            _ => null,
        };
        if (mapping is null)
        {
            problems.Add(root!, $"the file must be a mapping of sections (server:, checks:, …), not {Values.Found(root!)}");
            return null;
        }

        return new ConfigBuilder(problems, baseDirectory, env).Build(mapping, fullPath);
    }

    private VigilConfig Build(YMapping mapping, string fullPath)
    {
        var root = new MappingReader(_problems, mapping, "", RootKeys);
        _checkNames = DeclaredNames(root, "checks", "check", validate: false);
        _receiverNames = DeclaredNames(root, "receivers", "receiver", validate: true);
        _remediationNames = DeclaredNames(root, "remediations", "remediation", validate: true);
        _breakerNames = DeclaredNames(root, "breakers", "breaker", validate: true);

        var server = ReadServer(root);
        var defaults = ReadDefaults(root);
        var checks = ReadChecks(root, defaults);
        var (mode, modes) = ReadModes(root, checks);
        return new VigilConfig
        {
            SourcePath = fullPath,
            Mode = mode,
            ModeFromEnvironment = mode is not null && _env.TryGetValue("VIGIL_MODE", out var fromEnv) && !string.IsNullOrWhiteSpace(fromEnv),
            Modes = modes,
            Server = server,
            Storage = ReadStorage(root, server.DataDirectory),
            Ping = ReadPing(root, defaults),
            Metrics = ReadMetrics(root),
            Audit = ReadAudit(root),
            Defaults = new CheckTemplate(defaults.Definition),
            BaseChecks = [.. checks.Select(c => c.Definition)],
            Receivers = ReadReceivers(root),
            RouteSettings = ReadRoutes(root),
            Limits = ReadLimits(root),
            ApiKeys = ReadApiKeys(root),
            Silences = ReadSilences(root),
            Remediations = ReadRemediations(root),
            Breakers = ReadBreakers(root),
            Gates = ReadGates(root),
        };
    }

    private HashSet<string> DeclaredNames(MappingReader root, string section, string what, bool validate)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (root.Node(section) is YMapping m)
        {
            foreach (var entry in m.Entries)
            {
                names.Add(entry.Key.Value);
                if (validate && !CheckName.IsValid(entry.Key.Value))
                {
                    _problems.Add(entry.Key, $"{section}: {NameProblem(entry.Key.Value, what)}");
                }
            }
        }

        return names;
    }

    private static string NameProblem(string name, string what) =>
        $"'{name}' is not a valid {what} name: use 1 to 63 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit";

    /// <summary>Reports names that are not declared in <paramref name="declared"/>.</summary>
    private List<string> References(List<(YScalar Node, string Value)>? given, string path, HashSet<string> declared, string what, string section)
    {
        var result = new List<string>();
        if (given is null)
        {
            return result;
        }

        foreach (var (node, value) in given)
        {
            if (Reference(node, value, path, declared, what, section))
            {
                result.Add(value);
            }
        }

        return result;
    }

    private bool Reference(YScalar node, string value, string path, HashSet<string> declared, string what, string section)
    {
        if (declared.Contains(value))
        {
            return true;
        }

        var hint = declared.Count == 0
            ? $"; no {what}s are declared (add them under {section}:)"
            : $"{Suggestions.DidYouMean(value, declared)} (declared: {string.Join(", ", declared)})";
        _problems.Add(node, $"{path}: {Values.Show(node, false)} is not a declared {what}{hint}");
        return false;
    }

    /// <summary>Entries of a mapping-valued section: name → mapping, reporting non-mapping values.</summary>
    private IEnumerable<(YScalar Key, string Path, YMapping Value)> NamedMappings(MappingReader root, string section, bool allowEmpty = false)
    {
        if (root.Map(section) is not { } m)
        {
            yield break;
        }

        foreach (var entry in m.Entries)
        {
            var path = $"{section}.{entry.Key.Value}";
            if (entry.Value is YMapping value)
            {
                yield return (entry.Key, path, value);
            }
            else if (allowEmpty && entry.Value is YScalar { IsNull: true })
            {
                yield return (entry.Key, path, new YMapping(entry.Value.Line, entry.Value.Column));
            }
            else
            {
                _problems.Add(entry.Value, $"{path}: expected a mapping (key: value lines), found {Values.Found(entry.Value)}");
            }
        }
    }

    private string ResolvePath(string path) => Path.GetFullPath(path, _baseDirectory);
}
