using Vigil.Configuration.Yaml;
using Vigil.Domain.Checks;

namespace Vigil.Configuration.Parsing;

/// <summary>A check's settings read from one vigil.yaml mapping, with problems at file:line:column.</summary>
internal sealed class YamlCheckSettings(MappingReader reader) : ICheckSettingsSource
{
    public bool Present(string key) => reader.Present(key);

    public string? String(string key) => reader.String(key);

    public TimeSpan? Duration(string key) => reader.Duration(key);

    public int? Int(string key) => reader.Int(key);

    public bool? Bool(string key) => reader.Bool(key);

    public T? Choice<T>(string key, IReadOnlyDictionary<string, T> choices)
        where T : struct => reader.Choice(key, choices);

    public IReadOnlyList<string>? Strings(string key) => reader.Strings(key)?.Select(s => s.Value).ToList();

    public ICheckSettingsSource? Section(string key, IReadOnlyList<string> allowed) =>
        reader.Read(key, allowed) is { } section ? new YamlCheckSettings(section) : null;

    public void Problem(string key, string message)
    {
        var at = reader.At(key);
        var shown = at is YScalar s ? Values.Show(s, false) + " " : "";
        reader.Problems.Add(at, $"{reader.Sub(key)}: {shown}{message}");
    }
}
