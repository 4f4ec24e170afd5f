namespace Vigil.Domain.Checks;

/// <summary>
/// Where a check's settings are read from: a mapping in vigil.yaml or the JSON body of <c>PUT /api/v1/checks</c>.
/// Each source turns its own values into types and reports its own problems in its own terms (file:line:column,
/// or a problem+json field), so <see cref="CheckSettings"/> is the one parser of a check's settings for both.
/// Every method returns null (after reporting) when the value is there but wrong, and null when it is absent.
/// </summary>
public interface ICheckSettingsSource
{
    bool Present(string key);

    string? String(string key);

    TimeSpan? Duration(string key);

    int? Int(string key);

    bool? Bool(string key);

    T? Choice<T>(string key, IReadOnlyDictionary<string, T> choices)
        where T : struct;

    IReadOnlyList<string>? Strings(string key);

    /// <summary>A nested mapping or object, whose keys outside <paramref name="allowed"/> are reported.</summary>
    ICheckSettingsSource? Section(string key, IReadOnlyList<string> allowed);

    /// <summary>Reports that the value of <paramref name="key"/> is wrong; the source prefixes the value it saw.</summary>
    void Problem(string key, string message);
}
