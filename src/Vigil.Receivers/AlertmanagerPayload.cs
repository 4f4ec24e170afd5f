using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;
using Vigil.Domain.Time;
using Vigil.Receivers.Text;

namespace Vigil.Receivers;

/// <summary>
/// Alertmanager's webhook payload, version 4 (notify/webhook/webhook.go and template/template.go of
/// prometheus/alertmanager), so receivers written for Alertmanager work unchanged. Keys in Alertmanager's order;
/// label and annotation maps sorted by key as Go's encoder writes them; <c>fingerprint</c> is Prometheus's
/// label-set fingerprint (FNV-1a 64 over sorted names and values); a firing alert's <c>endsAt</c> is Go's zero
/// time. Labels: <c>alertname</c> (the alert kind), <c>check</c>, <c>severity</c>, <c>tags</c> (comma-joined).
/// </summary>
public static class AlertmanagerPayload
{
    public const string Version = "4";

    /// <summary>How Go writes a zero <c>time.Time</c>: what Alertmanager sends as an open alert's end.</summary>
    public const string ZeroTime = "0001-01-01T00:00:00Z";

    public static JsonObject ToJson(OutgoingMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var alerts = new JsonArray();
        var labelSets = new List<SortedDictionary<string, string>>();
        var annotationSets = new List<SortedDictionary<string, string>>();
        foreach (var n in message.Notifications)
        {
            var labels = Labels(n);
            var annotations = Annotations(n);
            labelSets.Add(labels);
            annotationSets.Add(annotations);
            var resolved = n.State == Notification.Resolved;
            alerts.Add(new JsonObject
            {
                ["status"] = resolved ? "resolved" : "firing",
                ["labels"] = Map(labels),
                ["annotations"] = Map(annotations),
                ["startsAt"] = Timestamps.Format(n.Since ?? n.At),
                ["endsAt"] = resolved ? Timestamps.Format(n.At) : ZeroTime,
                ["generatorURL"] = message.CheckUrl(n.Check) ?? "",
                ["fingerprint"] = Fingerprint(labels),
            });
        }

        var common = Common(labelSets);
        var groupLabels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in new[] { "alertname", "check" })
        {
            if (common.TryGetValue(name, out var value))
            {
                groupLabels[name] = value;
            }
        }

        return new JsonObject
        {
            ["receiver"] = QuoteMeta(message.Receiver),
            ["status"] = message.Notifications.Any(n => n.State != Notification.Resolved) ? "firing" : "resolved",
            ["alerts"] = alerts,
            ["groupLabels"] = Map(groupLabels),
            ["commonLabels"] = Map(common),
            ["commonAnnotations"] = Map(Common(annotationSets)),
            ["externalURL"] = message.PublicUrl?.TrimEnd('/') ?? "",
            ["version"] = Version,
            ["groupKey"] = message.GroupKey ?? "{}:" + LabelSetString(groupLabels),
            ["truncatedAlerts"] = message.Omitted,
        };
    }

    public static SortedDictionary<string, string> Labels(Notification n)
    {
        // An alert that came from Alertmanager keeps its labels as they were, so its fingerprint stays the same.
        if (n.Labels is { } kept)
        {
            var passed = new SortedDictionary<string, string>(kept.ToDictionary(), StringComparer.Ordinal);
            passed.TryAdd("alertname", n.Alert);
            passed.TryAdd("severity", n.Severity.Text());
            return passed;
        }

        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["alertname"] = n.Alert,
            ["severity"] = n.Severity.Text(),
        };
        if (n.Check is not null)
        {
            labels["check"] = n.Check;
        }

        if (n.Breaker is not null)
        {
            labels["breaker"] = n.Breaker;
        }

        if (n.Tags.Count > 0)
        {
            labels["tags"] = string.Join(',', n.Tags);
        }

        return labels;
    }

    private static SortedDictionary<string, string> Annotations(Notification n)
    {
        var kind = MessageText.KindTitle(n.Alert);
        var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["summary"] = n.Labels is not null ? n.Reason : (n.Check ?? n.Breaker) is { } about ? $"{kind}: {about}" : kind,
            ["description"] = string.IsNullOrWhiteSpace(n.Description) ? n.Reason : n.Description,
            ["reason"] = n.Reason,
        };
        if (!string.IsNullOrWhiteSpace(n.Runbook))
        {
            annotations["runbook_url"] = n.Runbook;
        }

        return annotations;
    }

    /// <summary>Prometheus's <c>model.LabelSet.Fingerprint()</c> as 16 hex digits.</summary>
    public static string Fingerprint(IReadOnlyDictionary<string, string> labels)
    {
        const ulong offset = 14695981039346656037;
        const ulong prime = 1099511628211;
        const byte separator = 255;
        var hash = offset;
        foreach (var name in labels.Keys.Order(StringComparer.Ordinal))
        {
            foreach (var b in Encoding.UTF8.GetBytes(name))
            {
                hash = (hash ^ b) * prime;
            }

            hash = (hash ^ separator) * prime;
            foreach (var b in Encoding.UTF8.GetBytes(labels[name]))
            {
                hash = (hash ^ b) * prime;
            }

            hash = (hash ^ separator) * prime;
        }

        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>Prometheus's <c>LabelSet.String()</c>: <c>{alertname="down", check="backup"}</c>.</summary>
    public static string LabelSetString(IReadOnlyDictionary<string, string> labels) =>
        "{" + string.Join(", ", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={GoQuote(l.Value)}")) + "}";

    private static SortedDictionary<string, string> Common(List<SortedDictionary<string, string>> sets)
    {
        var common = new SortedDictionary<string, string>(sets[0], StringComparer.Ordinal);
        foreach (var set in sets.Skip(1))
        {
            foreach (var key in common.Keys.ToList())
            {
                if (!set.TryGetValue(key, out var value) || value != common[key])
                {
                    common.Remove(key);
                }
            }
        }

        return common;
    }

    private static JsonObject Map(SortedDictionary<string, string> values)
    {
        var json = new JsonObject();
        foreach (var (key, value) in values)
        {
            json[key] = value;
        }

        return json;
    }

    /// <summary>Go's <c>%q</c> for the characters label values use.</summary>
    private static string GoQuote(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }

        return sb.Append('"').ToString();
    }

    /// <summary>Go's <c>regexp.QuoteMeta</c>, which Alertmanager applies to the receiver's name.</summary>
    private static string QuoteMeta(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            if (@"\.+*?()|[]{}^$".Contains(c, StringComparison.Ordinal))
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }
}
