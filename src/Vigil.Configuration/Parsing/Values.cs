using System.Globalization;
using Vigil.Configuration.Yaml;
using Vigil.Domain.Time;

namespace Vigil.Configuration.Parsing;

/// <summary>Reads one node as a typed value, reporting a problem (and returning null) when it is not one.
/// <c>path</c> names the value in messages (<c>checks.backup.grace</c>); <c>secret</c> hides the value.</summary>
internal static class Values
{
    public static string Show(YScalar scalar, bool secret) =>
        secret || scalar.FromEnvironment ? "the value" : $"'{scalar.Value}'";

    public static string Found(YNode node) => node is YScalar s && !s.IsNull ? "text" : node.Describe();

    public static YScalar? Scalar(YNode node, string path, string what, Problems problems)
    {
        if (node is YScalar { IsNull: false } s)
        {
            return s;
        }

        problems.Add(node, node is YScalar
            ? $"{path}: has no value; give {what} or remove the key"
            : $"{path}: expected {what}, found {node.Describe()}");
        return null;
    }

    public static string? String(YNode node, string path, Problems problems, bool secret = false)
    {
        var s = Scalar(node, path, "text", problems);
        if (s is not null && secret)
        {
            problems.Secret(s.Value);
        }

        return s?.Value;
    }

    public static TimeSpan? Duration(YNode node, string path, Problems problems)
    {
        if (Scalar(node, path, "a duration (such as 90s, 5m, 1h30m, 2d)", problems) is not { } s)
        {
            return null;
        }

        if (Durations.TryParse(s.Value, out var value, out var error))
        {
            return value;
        }

        var message = error ?? "is not a duration";
        if (s.FromEnvironment)
        {
            message = message.Replace($"'{s.Value.Trim()}'", "the value", StringComparison.Ordinal);
        }

        problems.Add(s, $"{path}: {message}");
        return null;
    }

    public static int? Int(YNode node, string path, Problems problems, int min = int.MinValue, int max = int.MaxValue)
    {
        if (Scalar(node, path, "a whole number", problems) is not { } s)
        {
            return null;
        }

        if (!int.TryParse(s.Value.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            problems.Add(s, $"{path}: {Show(s, false)} is not a whole number");
            return null;
        }

        return InRange(s, path, problems, value, min, max) ? value : null;
    }

    private static bool InRange(YScalar s, string path, Problems problems, int value, int min, int max)
    {
        if (value >= min && value <= max)
        {
            return true;
        }

        problems.Add(s, max == int.MaxValue ? $"{path}: must be {min} or more" : $"{path}: must be between {min} and {max}");
        return false;
    }

    public static double? Number(YNode node, string path, Problems problems, double min, double max)
    {
        if (Scalar(node, path, "a number", problems) is not { } s)
        {
            return null;
        }

        if (!double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            problems.Add(s, $"{path}: {Show(s, false)} is not a number");
            return null;
        }

        if (value < min || value > max)
        {
            problems.Add(s, $"{path}: must be between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }

        return value;
    }

    public static bool? Bool(YNode node, string path, Problems problems)
    {
        if (Scalar(node, path, "true or false", problems) is not { } s)
        {
            return null;
        }

        switch (s.Value)
        {
            case "true" or "True" or "TRUE": return true;
            case "false" or "False" or "FALSE": return false;
            default:
                problems.Add(s, $"{path}: {Show(s, false)} is not true or false");
                return null;
        }
    }

    public static T? Choice<T>(YNode node, string path, Problems problems, IReadOnlyDictionary<string, T> choices)
        where T : struct
    {
        var allowed = string.Join(", ", choices.Keys);
        if (Scalar(node, path, $"one of {allowed}", problems) is not { } s)
        {
            return null;
        }

        if (choices.TryGetValue(s.Value, out var value))
        {
            return value;
        }

        problems.Add(s, $"{path}: {Show(s, false)} is not one of {allowed}{Suggestions.DidYouMean(s.Value, choices.Keys)}");
        return null;
    }

    public static Uri? Url(YNode node, string path, Problems problems, bool secret = false)
    {
        if (Scalar(node, path, "a URL", problems) is not { } s)
        {
            return null;
        }

        if (secret)
        {
            problems.Secret(s.Value);
        }

        if (Uri.TryCreate(s.Value.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        problems.Add(s, $"{path}: {Show(s, secret)} is not an absolute http:// or https:// URL");
        return null;
    }

    public static Rate? Rate(YNode node, string path, Problems problems)
    {
        if (Scalar(node, path, "a rate such as 10/s or 20/min", problems) is not { } s)
        {
            return null;
        }

        if (Configuration.Rate.TryParse(s.Value, out var rate))
        {
            return rate;
        }

        problems.Add(s, $"{path}: {Show(s, false)} is not a rate; write a count per period such as 10/s, 600/min, 100/h or 5/10s");
        return null;
    }

    public static YMapping? Mapping(YNode node, string path, Problems problems)
    {
        switch (node)
        {
            case YMapping m:
                return m;
            case YScalar { IsNull: true }:
                return null;
            default:
                problems.Add(node, $"{path}: expected a mapping (key: value lines), found {Found(node)}");
                return null;
        }
    }

    public static YSequence? Sequence(YNode node, string path, Problems problems)
    {
        switch (node)
        {
            case YSequence s:
                return s;
            case YScalar { IsNull: true }:
                return null;
            default:
                problems.Add(node, $"{path}: expected a list, found {Found(node)}");
                return null;
        }
    }

    /// <summary>A list of text values; a single text value is also accepted as a list of one.</summary>
    public static List<(YScalar Node, string Value)>? Strings(YNode node, string path, Problems problems)
    {
        if (node is YScalar { IsNull: false } single)
        {
            return [(single, single.Value)];
        }

        if (Sequence(node, path, problems) is not { } sequence)
        {
            return node is YScalar ? [] : null;
        }

        var list = new List<(YScalar, string)>();
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            if (Scalar(sequence.Items[i], $"{path}[{i}]", "text", problems) is { } s)
            {
                list.Add((s, s.Value));
            }
        }

        return list;
    }
}
