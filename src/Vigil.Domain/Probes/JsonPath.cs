using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Vigil.Domain.Probes;

/// <summary>
/// The subset of JSONPath (RFC 9535) that names one value: <c>$</c>, then any number of <c>.name</c>,
/// <c>['name']</c> / <c>["name"]</c> and <c>[index]</c> (negative counts from the end), e.g.
/// <c>$.token.refresh_token_created_at</c>, <c>$.data[0]['server time']</c>, <c>$.items[-1].ts</c>.
/// Wildcards, filters, slices and recursive descent are refused: a probe reads exactly one value, and no
/// JSONPath package restores in this build's registry.
/// </summary>
public sealed class JsonPath
{
    private readonly IReadOnlyList<object> _segments; // string (member) or int (index)

    private JsonPath(string text, IReadOnlyList<object> segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    public override string ToString() => Text;

    public static JsonPath Parse(string text) =>
        TryParse(text, out var path, out var error) ? path : throw new FormatException(error.Message);

    public static bool TryParse(string? text, [NotNullWhen(true)] out JsonPath? path, [NotNullWhen(false)] out ConditionError? error)
    {
        path = null;
        text ??= "";
        if (!text.StartsWith('$'))
        {
            error = new ConditionError(0, $"'{text}' is not a JSONPath; start at the root with $, as in $.token.created_at");
            return false;
        }

        var segments = new List<object>();
        var i = 1;
        while (i < text.Length)
        {
            if (text[i] == '.')
            {
                var start = ++i;
                while (i < text.Length && text[i] != '.' && text[i] != '[')
                {
                    i++;
                }

                var name = text[start..i];
                if (name.Length == 0 || name is "*" || name.Any(char.IsWhiteSpace))
                {
                    error = new ConditionError(start, name.Length == 0 ? $"'{text}': expected a member name after '.' (recursive descent '..' is not supported)" : $"'{text}': '{name}' is not a member name; a probe reads one value (no wildcards)");
                    return false;
                }

                segments.Add(name);
            }
            else if (text[i] == '[')
            {
                var close = FindClose(text, i);
                if (close < 0)
                {
                    error = new ConditionError(i, $"'{text}': '[' is not closed");
                    return false;
                }

                var inner = text[(i + 1)..close].Trim();
                if (inner.Length >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[^1] == inner[0])
                {
                    segments.Add(inner[1..^1]);
                }
                else if (int.TryParse(inner, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
                {
                    segments.Add(index);
                }
                else
                {
                    error = new ConditionError(i + 1, $"'{text}': [{inner}] is not an index or a quoted name; a probe reads one value (no wildcards, filters or slices)");
                    return false;
                }

                i = close + 1;
            }
            else
            {
                error = new ConditionError(i, $"'{text}': unexpected '{text[i]}'; write members as .name or ['name'] and items as [0]");
                return false;
            }
        }

        path = new JsonPath(text, segments);
        error = null;
        return true;
    }

    /// <summary>The value at this path, or false with the path up to the part that is missing.</summary>
    public bool TrySelect(JsonNode? root, out JsonNode? value, [NotNullWhen(false)] out string? missing)
    {
        var node = root;
        var at = "$";
        foreach (var segment in _segments)
        {
            switch (segment)
            {
                case string name when node is JsonObject o && o.TryGetPropertyValue(name, out var child):
                    node = child;
                    at += "." + name;
                    break;
                case int index when node is JsonArray a && (index < 0 ? a.Count + index : index) is var k && k >= 0 && k < a.Count:
                    node = a[k];
                    at += $"[{index}]";
                    break;
                default:
                    value = null;
                    missing = segment is string n
                        ? $"{at} has no member '{n}'"
                        : $"{at} has no item [{segment}]";
                    return false;
            }
        }

        value = node;
        missing = null;
        return true;
    }

    private static int FindClose(string text, int open)
    {
        char? quote = null;
        for (var i = open + 1; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == ']')
            {
                return i;
            }
        }

        return -1;
    }
}
