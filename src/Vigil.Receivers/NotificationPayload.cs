using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;
using Vigil.Domain.Time;

namespace Vigil.Receivers;

/// <summary>Vigil's own JSON for a notification: what the webhook posts and the file receiver appends.</summary>
public static class NotificationPayload
{
    public static JsonObject ToJson(Notification n, string? publicUrl = null)
    {
        var json = new JsonObject
        {
            ["id"] = n.Id.ToString(),
            ["alert"] = n.Alert,
            ["state"] = n.State,
            ["severity"] = n.Severity.Text(),
            ["status"] = n.Status?.Text(),
            ["reason"] = n.Reason,
            ["at"] = Timestamps.Format(n.At),
            ["since"] = n.Since is { } since ? Timestamps.Format(since) : null,
            ["runbook"] = n.Runbook,
        };
        if (n.Labels is { } labels)
        {
            // An alert from Alertmanager: its labels as they were sent, and what it says besides the reason.
            var map = new JsonObject();
            foreach (var (name, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                map[name] = value;
            }

            json["labels"] = map;
            json["description"] = n.Description;
        }

        if (n.Check is not null)
        {
            json["check"] = new JsonObject
            {
                ["name"] = n.Check,
                ["uuid"] = n.CheckUuid?.ToString(),
                ["tags"] = new JsonArray([.. n.Tags.Select(t => (JsonNode)JsonValue.Create(t))]),
                ["description"] = n.Description,
                ["runbook"] = n.Runbook,
                ["url"] = publicUrl is null ? null : $"{publicUrl.TrimEnd('/')}/api/v1/checks/{n.Check}",
            };
        }
        else
        {
            json["check"] = null;
        }

        if (n.Breaker is not null)
        {
            json["breaker"] = n.Breaker;
        }

        return json;
    }

    public static string Serialize(Notification n, string? publicUrl = null) =>
        ToJson(n, publicUrl).ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
