using System.Text.Json;
using Vigil.Domain.Checks;
using Vigil.Domain.Intake;
using Vigil.Domain.Time;
using Vigil.Server.Http;

namespace Vigil.Server.Integrations;

/// <summary>
/// Reads Prometheus Alertmanager's webhook payload, version 4 (notify/webhook/webhook.go: <c>version</c>,
/// <c>groupKey</c>, <c>truncatedAlerts</c> and template.Data: <c>receiver</c>, <c>status</c>, <c>alerts</c>,
/// <c>groupLabels</c>, <c>commonLabels</c>, <c>commonAnnotations</c>, <c>externalURL</c>; each alert <c>status</c>,
/// <c>labels</c>, <c>annotations</c>, <c>startsAt</c>, <c>endsAt</c>, <c>generatorURL</c>, <c>fingerprint</c>), and
/// turns each alert into an <see cref="IncomingAlert"/>. Every known key that is there must have its type; what an
/// alert's identity needs (<c>status</c>, <c>labels</c>, <c>startsAt</c>, <c>fingerprint</c>) must be there. Keys
/// Vigil does not know are ignored: a 4xx makes Alertmanager drop the notification for good, so a field a newer
/// Alertmanager (or Grafana) adds must not cost an alert.
/// </summary>
internal static class AlertmanagerWebhook
{
    public const string Version = "4";

    /// <summary>The severity of an alert without a <c>severity</c> label of critical, warning or info.</summary>
    public const Severity DefaultSeverity = Severity.Warning;

    /// <summary>The alert kind of an alert without an <c>alertname</c> label.</summary>
    public const string DefaultAlertName = "alertmanager";

    /// <summary>Alerts per delivery; Alertmanager's <c>max_alerts</c> keeps a group's payload under it.</summary>
    public const int MaxAlerts = 10_000;

    public const int MaxLabels = 100;
    public const int MaxLabelNameLength = 256;
    public const int MaxLabelValueLength = 4096;

    /// <summary>Annotation text longer than this is cut (with an ellipsis) before it goes into a message.</summary>
    public const int MaxTextLength = 4000;

    /// <summary>What the payload said besides its alerts.</summary>
    internal sealed record Delivery(string? Receiver, string? GroupKey, long TruncatedAlerts, IReadOnlyList<IncomingAlert> Alerts);

    public static Delivery? Read(JsonElement root, RequestErrors errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors.Add("$", "the body must be a JSON object: Alertmanager's webhook payload version 4");
            return null;
        }

        var version = String(root, "version", errors, required: true);
        if (version is not null && version != Version)
        {
            errors.Add("version", $"is '{Fields.Truncate(version)}'; Vigil reads Alertmanager's webhook payload version 4");
        }

        Status(root, "status", errors);
        var receiver = String(root, "receiver", errors);
        var groupKey = String(root, "groupKey", errors);
        String(root, "externalURL", errors);
        foreach (var map in new[] { "groupLabels", "commonLabels", "commonAnnotations" })
        {
            StringMap(root, map, map, errors);
        }

        long truncated = 0;
        if (root.TryGetProperty("truncatedAlerts", out var t) && t.ValueKind != JsonValueKind.Null)
        {
            if (t.ValueKind != JsonValueKind.Number || !t.TryGetInt64(out truncated) || truncated < 0)
            {
                errors.Add("truncatedAlerts", "must be a whole, non-negative number");
                truncated = 0;
            }
        }

        if (!root.TryGetProperty("alerts", out var list) || list.ValueKind == JsonValueKind.Null)
        {
            errors.Add("alerts", "is required: the list of alerts");
            return null;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            errors.Add("alerts", "must be a list of alerts");
            return null;
        }

        var count = list.GetArrayLength();
        if (count == 0)
        {
            errors.Add("alerts", "is empty; a delivery carries at least one alert");
        }
        else if (count > MaxAlerts)
        {
            errors.Add("alerts", $"has {count} alerts; at most {MaxAlerts} per delivery (set max_alerts in Alertmanager's webhook_configs)");
            return null;
        }

        var alerts = new List<IncomingAlert>(count);
        var i = 0;
        foreach (var element in list.EnumerateArray())
        {
            if (Alert(element, $"alerts[{i}]", errors) is { } alert)
            {
                alerts.Add(alert);
            }

            i++;
        }

        return errors.Any ? null : new Delivery(receiver, groupKey, truncated, alerts);
    }

    private static IncomingAlert? Alert(JsonElement alert, string at, RequestErrors errors)
    {
        if (alert.ValueKind != JsonValueKind.Object)
        {
            errors.Add(at, "must be an alert object");
            return null;
        }

        var before = errors.Count;
        var status = Status(alert, $"{at}.status", errors, key: "status");
        var labels = StringMap(alert, "labels", $"{at}.labels", errors, required: true);
        var annotations = StringMap(alert, "annotations", $"{at}.annotations", errors) ?? new Dictionary<string, string>(StringComparer.Ordinal);
        var startsAt = Instant(alert, "startsAt", $"{at}.startsAt", errors, required: true);
        var endsAt = Instant(alert, "endsAt", $"{at}.endsAt", errors);
        String(alert, "generatorURL", errors, $"{at}.generatorURL");
        var fingerprint = String(alert, "fingerprint", errors, $"{at}.fingerprint", required: true);
        if (fingerprint is not null && !IsFingerprint(fingerprint))
        {
            errors.Add($"{at}.fingerprint", $"'{Fields.Truncate(fingerprint)}' is not a fingerprint: 1 to 64 hex digits, as Alertmanager sends");
        }

        if (labels is not null)
        {
            CheckLabels(labels, $"{at}.labels", errors);
        }

        if (errors.Count > before || status is null || labels is null || startsAt is null || fingerprint is null)
        {
            return null;
        }

        var alertName = labels.GetValueOrDefault("alertname") is { Length: > 0 } name ? name : DefaultAlertName;
        var resolved = status == "resolved";
        var summary = Text(annotations, "summary");
        var description = Text(annotations, "description");
        var reason = summary ?? description ?? Text(annotations, "message") ?? $"{alertName} is {status}";
        return new IncomingAlert
        {
            Fingerprint = fingerprint.ToLowerInvariant(),
            Resolved = resolved,
            StartsAt = startsAt.Value,
            EndsAt = resolved ? endsAt : null,
            Alert = alertName,
            Severity = SeverityOf(labels.GetValueOrDefault("severity")),
            Reason = reason,
            Description = summary is not null ? description : null,
            Runbook = Text(annotations, "runbook_url"),
            Tags = labels.GetValueOrDefault("tags") is { } tags
                ? [.. tags.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)]
                : [],
            Labels = labels,
        };
    }

    /// <summary>critical, warning and info (any case) are Vigil's severities; anything else is <see cref="DefaultSeverity"/>.</summary>
    public static Severity SeverityOf(string? label) => label?.Trim().ToLowerInvariant() switch
    {
        "critical" => Severity.Critical,
        "warning" => Severity.Warning,
        "info" => Severity.Info,
        _ => DefaultSeverity,
    };

    private static void CheckLabels(Dictionary<string, string> labels, string at, RequestErrors errors)
    {
        if (labels.Count > MaxLabels)
        {
            errors.Add(at, $"has {labels.Count} labels; at most {MaxLabels}");
            return;
        }

        foreach (var (name, value) in labels)
        {
            if (name.Length == 0 || name.Length > MaxLabelNameLength)
            {
                errors.Add(at, $"a label name must be 1 to {MaxLabelNameLength} characters");
            }
            else if (value.Length > MaxLabelValueLength)
            {
                errors.Add($"{at}.{name}", $"is {value.Length} characters; at most {MaxLabelValueLength}");
            }
        }
    }

    private static bool IsFingerprint(string text) => text.Length is > 0 and <= 64 && text.All(char.IsAsciiHexDigit);

    /// <summary>An annotation as message text: trimmed, null when empty, cut at <see cref="MaxTextLength"/>.</summary>
    private static string? Text(Dictionary<string, string> annotations, string key)
    {
        if (annotations.GetValueOrDefault(key)?.Trim() is not { Length: > 0 } text)
        {
            return null;
        }

        return text.Length <= MaxTextLength ? text : text[..(MaxTextLength - 1)] + "…";
    }

    private static string? Status(JsonElement parent, string field, RequestErrors errors, string key = "status")
    {
        var status = String(parent, key, errors, field, required: true);
        if (status is not null and not ("firing" or "resolved"))
        {
            errors.Add(field, $"is '{Fields.Truncate(status)}'; must be firing or resolved");
            return null;
        }

        return status;
    }

    private static string? String(JsonElement parent, string key, RequestErrors errors, string? field = null, bool required = false)
    {
        field ??= key;
        if (!parent.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors.Add(field, "is required");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(field, "must be a string");
            return null;
        }

        return value.GetString();
    }

    private static Dictionary<string, string>? StringMap(JsonElement parent, string key, string field, RequestErrors errors, bool required = false)
    {
        if (!parent.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors.Add(field, "is required: an object of names to string values");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            errors.Add(field, "must be an object of names to string values");
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                errors.Add($"{field}.{property.Name}", "must be a string");
                continue;
            }

            map[property.Name] = property.Value.GetString()!;
        }

        return map;
    }

    /// <summary>Go's <c>time.Time</c> as JSON: RFC 3339 with up to nine fractional digits (nanoseconds; .NET keeps
    /// seven). Go's zero time (<c>0001-01-01T00:00:00Z</c>, an alert that has not ended) is null.</summary>
    private static DateTimeOffset? Instant(JsonElement parent, string key, string field, RequestErrors errors, bool required = false)
    {
        var text = String(parent, key, errors, field, required);
        if (text is null)
        {
            return null;
        }

        if (!Timestamps.TryParse(TrimFraction(text), out var value, out var error))
        {
            errors.Add(field, error!);
            return null;
        }

        if (value.UtcTicks == 0)
        {
            if (required)
            {
                errors.Add(field, "is Go's zero time; an alert has a start");
            }

            return null;
        }

        return value;
    }

    /// <summary>Cuts a fraction of a second to the seven digits .NET parses: nanoseconds become 100 ns ticks.</summary>
    private static string TrimFraction(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return text;
        }

        var end = dot + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        return end - dot - 1 <= 7 ? text : string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
    }
}
