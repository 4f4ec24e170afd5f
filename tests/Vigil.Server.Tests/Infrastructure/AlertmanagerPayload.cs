using System.Text.Json.Nodes;

namespace Vigil.Server.Tests.Infrastructure;

/// <summary>One alert of an Alertmanager webhook delivery, as a test describes it.</summary>
internal sealed record TestAlert(
    string Fingerprint, string Status = "firing", string StartsAt = "2026-03-02T08:55:00.123456789Z", string AlertName = "DiskFull",
    string Severity = "critical", string Summary = "disk /var is 97% full", string? EndsAt = null);

/// <summary>Alertmanager's webhook payload version 4 as Alertmanager 0.25 writes it (key for key).</summary>
internal static class AlertmanagerPayload
{
    public const string Path = "api/v1/integrations/alertmanager";

    public static string Of(params TestAlert[] alerts)
    {
        var list = new JsonArray();
        foreach (var a in alerts)
        {
            list.Add(new JsonObject
            {
                ["status"] = a.Status,
                ["labels"] = new JsonObject { ["alertname"] = a.AlertName, ["instance"] = "db-1:9100", ["severity"] = a.Severity, ["tags"] = "db,storage" },
                ["annotations"] = new JsonObject
                {
                    ["summary"] = a.Summary,
                    ["description"] = "the WAL volume fills up",
                    ["runbook_url"] = "https://wiki.example/runbooks/disk",
                },
                ["startsAt"] = a.StartsAt,
                ["endsAt"] = a.EndsAt ?? (a.Status == "resolved" ? "2026-03-02T09:00:30Z" : "0001-01-01T00:00:00Z"),
                ["generatorURL"] = "http://prometheus.example:9090/graph?g0.expr=disk",
                ["fingerprint"] = a.Fingerprint,
            });
        }

        return new JsonObject
        {
            ["receiver"] = "vigil",
            ["status"] = alerts.Any(a => a.Status == "firing") ? "firing" : "resolved",
            ["alerts"] = list,
            ["groupLabels"] = new JsonObject { ["alertname"] = alerts[0].AlertName },
            ["commonLabels"] = new JsonObject { ["alertname"] = alerts[0].AlertName },
            ["commonAnnotations"] = new JsonObject(),
            ["externalURL"] = "http://alertmanager.example:9093",
            ["version"] = "4",
            ["groupKey"] = "{}:{alertname=\"" + alerts[0].AlertName + "\"}",
            ["truncatedAlerts"] = 0,
        }.ToJsonString();
    }
}
