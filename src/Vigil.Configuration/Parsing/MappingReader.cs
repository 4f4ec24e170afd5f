using Vigil.Configuration.Yaml;

namespace Vigil.Configuration.Parsing;

/// <summary>Reads the keys of one mapping. Unknown keys are reported on construction, naming the allowed
/// ones and the nearest match. A key given with no value counts as absent for mappings and lists, and is a
/// problem for scalar values.</summary>
internal sealed class MappingReader
{
    public MappingReader(Problems problems, YMapping mapping, string path, IReadOnlyList<string> allowed)
    {
        Problems = problems;
        Mapping = mapping;
        Path = path;
        foreach (var entry in mapping.Entries)
        {
            if (!allowed.Contains(entry.Key.Value))
            {
                var what = path.Length == 0 ? "unknown top-level key" : $"{path}: unknown key";
                problems.Add(entry.Key, $"{what} '{entry.Key.Value}'{Suggestions.DidYouMean(entry.Key.Value, allowed)} (allowed: {string.Join(", ", allowed)})");
            }
        }
    }

    public Problems Problems { get; }
    public YMapping Mapping { get; }
    public string Path { get; }

    public string Sub(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>The value node of a key, or null when the key is absent.</summary>
    public YNode? Node(string key) => Mapping.Find(key)?.Value;

    public YScalar? Key(string key) => Mapping.Find(key)?.Key;

    public bool Has(string key) => Node(key) is { } n && n is not YScalar { IsNull: true };

    public bool Present(string key) => Mapping.Find(key) is not null;

    /// <summary>Where a problem about a key belongs: its value when given, else the mapping.</summary>
    public YNode At(string key) => Node(key) ?? Mapping;

    public void Required(string key, string what)
    {
        if (!Present(key))
        {
            Problems.Add(Mapping, $"{(Path.Length == 0 ? "the file" : Path)}: missing {key} ({what})");
        }
    }

    public string? String(string key, bool secret = false) => Node(key) is { } n ? Values.String(n, Sub(key), Problems, secret) : null;

    public TimeSpan? Duration(string key) => Node(key) is { } n ? Values.Duration(n, Sub(key), Problems) : null;

    public TimeSpan? PositiveDuration(string key)
    {
        var value = Duration(key);
        if (value is { } v && v <= TimeSpan.Zero)
        {
            Problems.Add(At(key), $"{Sub(key)}: must be longer than 0s");
            return null;
        }

        return value;
    }

    public int? Int(string key, int min = int.MinValue, int max = int.MaxValue) =>
        Node(key) is { } n ? Values.Int(n, Sub(key), Problems, min, max) : null;

    public double? Number(string key, double min, double max) =>
        Node(key) is { } n ? Values.Number(n, Sub(key), Problems, min, max) : null;

    public bool? Bool(string key) => Node(key) is { } n ? Values.Bool(n, Sub(key), Problems) : null;

    public T? Choice<T>(string key, IReadOnlyDictionary<string, T> choices)
        where T : struct => Node(key) is { } n ? Values.Choice(n, Sub(key), Problems, choices) : null;

    public Uri? Url(string key, bool secret = false) => Node(key) is { } n ? Values.Url(n, Sub(key), Problems, secret) : null;

    public Rate? Rate(string key) => Node(key) is { } n ? Values.Rate(n, Sub(key), Problems) : null;

    public YMapping? Map(string key) => Node(key) is { } n ? Values.Mapping(n, Sub(key), Problems) : null;

    public MappingReader? Read(string key, IReadOnlyList<string> allowed) =>
        Map(key) is { } m ? new MappingReader(Problems, m, Sub(key), allowed) : null;

    public YSequence? Sequence(string key) => Node(key) is { } n ? Values.Sequence(n, Sub(key), Problems) : null;

    public List<(YScalar Node, string Value)>? Strings(string key) => Node(key) is { } n ? Values.Strings(n, Sub(key), Problems) : null;
}
