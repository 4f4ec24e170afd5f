using System.Text.Json;
using Vigil.Domain.Checks;

namespace Vigil.Server.Http;

/// <summary>A check's settings read from a JSON object, each problem named by its field (<c>flapping.window</c>).
/// Durations are strings such as <c>"5m"</c> or whole seconds, as everywhere in the API.</summary>
internal sealed class JsonCheckSettings : ICheckSettingsSource
{
    private readonly JsonElement _object;
    private readonly RequestErrors _errors;
    private readonly string _prefix;

    public JsonCheckSettings(JsonElement @object, RequestErrors errors, IReadOnlyList<string> allowed, string prefix = "")
    {
        _object = @object;
        _errors = errors;
        _prefix = prefix;
        foreach (var property in @object.EnumerateObject())
        {
            if (!allowed.Contains(property.Name))
            {
                errors.Add(prefix + property.Name, $"is not a known field (known: {string.Join(", ", allowed)})");
            }
        }
    }

    private bool TryGet(string key, out JsonElement value) =>
        _object.TryGetProperty(key, out value) && value.ValueKind != JsonValueKind.Null;

    public bool Present(string key) => _object.TryGetProperty(key, out _);

    public string? String(string key)
    {
        if (!TryGet(key, out var value)) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        _errors.Add(_prefix + key, "must be a string");
        return null;
    }

    public TimeSpan? Duration(string key) => TryGet(key, out var value) ? Fields.Duration(value, _prefix + key, _errors) : null;

    public int? Int(string key)
    {
        if (!TryGet(key, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)) return number;
        _errors.Add(_prefix + key, "must be a whole number");
        return null;
    }

    public bool? Bool(string key)
    {
        if (!TryGet(key, out var value)) return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        _errors.Add(_prefix + key, "must be true or false");
        return null;
    }

    public T? Choice<T>(string key, IReadOnlyDictionary<string, T> choices)
        where T : struct
    {
        if (String(key) is not { } text) return null;
        if (choices.TryGetValue(text, out var choice)) return choice;
        _errors.Add(_prefix + key, $"'{Fields.Truncate(text)}' is not one of {string.Join(", ", choices.Keys)}");
        return null;
    }

    public IReadOnlyList<string>? Strings(string key)
    {
        if (!TryGet(key, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Array)
        {
            _errors.Add(_prefix + key, "must be a list of strings");
            return null;
        }

        var strings = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                _errors.Add($"{_prefix}{key}[{index}]", "must be a string");
                return null;
            }

            strings.Add(item.GetString()!);
            index++;
        }

        return strings;
    }

    public ICheckSettingsSource? Section(string key, IReadOnlyList<string> allowed)
    {
        if (!TryGet(key, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Object) return new JsonCheckSettings(value, _errors, allowed, _prefix + key + ".");
        _errors.Add(_prefix + key, "must be an object");
        return null;
    }

    public void Problem(string key, string message)
    {
        var shown = TryGet(key, out var value) && value.ValueKind == JsonValueKind.String ? $"'{Fields.Truncate(value.GetString()!)}' " : "";
        _errors.Add(_prefix + key, shown + message);
    }
}
