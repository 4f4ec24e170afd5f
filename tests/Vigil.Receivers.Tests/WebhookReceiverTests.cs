using System.Security.Cryptography;
using System.Text;

namespace Vigil.Receivers.Tests;

/// <summary>The generic webhook: Vigil's JSON (unchanged for one notification, an envelope for several) and
/// Alertmanager's webhook v4 payload.</summary>
public sealed class WebhookReceiverTests
{
    private const string Secret = "hmac-signing-secret";

    private static WebhookReceiver Receiver(string url, WebhookFormat format = WebhookFormat.Vigil, IReadOnlyDictionary<string, string>? headers = null, TimeSpan? timeout = null) =>
        new("hook", new WebhookOptions(url, Secret) { Format = format, Headers = headers ?? new Dictionary<string, string>(), Timeout = timeout },
            Clients.Http(), Samples.Clock());

    [Fact]
    public async Task One_notification_is_todays_vigil_json_byte_for_byte_signed_with_the_idempotency_key()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(204));
        var message = Samples.Single(Samples.Down());

        var result = await Receiver(api.BaseUrl + "/hook", headers: new Dictionary<string, string> { ["Authorization"] = "Bearer header-token" })
            .DeliverAsync(message, CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var request = Assert.Single(api.Requests);
        Assert.Equal(NotificationPayload.Serialize(Samples.Down(), Samples.PublicUrl), request.Body);
        Assert.Equal(
            """{"id":"0190f0a0-0000-7000-8000-000000000001","alert":"down","state":"firing","severity":"critical","status":"down","reason":"no signal since 2026-03-02T07:00:00Z; expected at 2026-03-02T08:00:00Z (every 1h), grace 1h ran out","at":"2026-03-02T09:02:00Z","since":"2026-03-02T09:02:00Z","runbook":"https://wiki.example/runbooks/backup","check":{"name":"nightly-backup","uuid":"11111111-2222-3333-4444-555555555555","tags":["db","nightly"],"description":"Nightly database backup to S3","runbook":"https://wiki.example/runbooks/backup","url":"https://vigil.example/api/v1/checks/nightly-backup"}}""",
            request.Body);
        Assert.Equal(message.IdempotencyKey, request.Headers["Idempotency-Key"]);
        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(request.Body))), request.Headers["X-Vigil-Signature"]);
        Assert.Equal("Bearer header-token", request.Headers["Authorization"]);
    }

    [Fact]
    public async Task Several_notifications_are_one_envelope_listing_each_in_the_single_format()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(200));
        var digest = Samples.Digest(2, omitted: 3);

        await Receiver(api.BaseUrl + "/hook").DeliverAsync(digest, CancellationToken.None);

        var json = Assert.Single(api.Requests).Json;
        Assert.Equal("digest-2", json.GetProperty("idempotency_key").GetString());
        Assert.Equal("ops", json.GetProperty("receiver").GetString());
        Assert.Equal("{}:{alertname=\"down\"}", json.GetProperty("group_key").GetString());
        Assert.Equal(3, json.GetProperty("omitted").GetInt32());
        Assert.Equal("https://vigil.example/checks?status=down", json.GetProperty("list_url").GetString());
        var items = json.GetProperty("notifications").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        Assert.Equal(NotificationPayload.Serialize(digest.Notifications[1], Samples.PublicUrl), items[1].GetRawText());
    }

    [Fact]
    public async Task Alertmanager_format_is_the_v4_payload()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(200));
        var message = new OutgoingMessage("key-1", "am-hook", [Samples.Down(), Samples.Resolved("other-job")]) { PublicUrl = Samples.PublicUrl };

        var result = await Receiver(api.BaseUrl + "/hook", WebhookFormat.Alertmanager).DeliverAsync(message, CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var json = Assert.Single(api.Requests).Json;
        Assert.Equal(["receiver", "status", "alerts", "groupLabels", "commonLabels", "commonAnnotations", "externalURL", "version", "groupKey", "truncatedAlerts"],
            json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("4", json.GetProperty("version").GetString());
        Assert.Equal("am-hook", json.GetProperty("receiver").GetString());
        Assert.Equal("firing", json.GetProperty("status").GetString());
        Assert.Equal("https://vigil.example", json.GetProperty("externalURL").GetString());
        Assert.Equal(0, json.GetProperty("truncatedAlerts").GetInt32());
        Assert.Equal("""{"alertname":"down"}""", json.GetProperty("groupLabels").GetRawText());
        Assert.Equal("""{"alertname":"down","severity":"critical","tags":"db,nightly"}""", json.GetProperty("commonLabels").GetRawText());
        Assert.Equal("{}:{alertname=\"down\"}", json.GetProperty("groupKey").GetString());

        var alerts = json.GetProperty("alerts").EnumerateArray().ToList();
        var firing = alerts[0];
        Assert.Equal(["status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"], firing.EnumerateObject().Select(p => p.Name));
        Assert.Equal("firing", firing.GetProperty("status").GetString());
        Assert.Equal("""{"alertname":"down","check":"nightly-backup","severity":"critical","tags":"db,nightly"}""", firing.GetProperty("labels").GetRawText());
        var annotations = firing.GetProperty("annotations");
        Assert.Equal("DOWN: nightly-backup", annotations.GetProperty("summary").GetString());
        Assert.Equal("Nightly database backup to S3", annotations.GetProperty("description").GetString());
        Assert.Equal("https://wiki.example/runbooks/backup", annotations.GetProperty("runbook_url").GetString());
        Assert.Equal("2026-03-02T09:02:00Z", firing.GetProperty("startsAt").GetString());
        Assert.Equal("0001-01-01T00:00:00Z", firing.GetProperty("endsAt").GetString());
        Assert.Equal("https://vigil.example/checks/nightly-backup", firing.GetProperty("generatorURL").GetString());
        Assert.Matches("^[0-9a-f]{16}$", firing.GetProperty("fingerprint").GetString());

        var resolved = alerts[1];
        Assert.Equal("resolved", resolved.GetProperty("status").GetString());
        Assert.Equal("2026-03-02T07:02:00Z", resolved.GetProperty("startsAt").GetString());
        Assert.Equal("2026-03-02T09:06:00Z", resolved.GetProperty("endsAt").GetString());
        Assert.NotEqual(firing.GetProperty("fingerprint").GetString(), resolved.GetProperty("fingerprint").GetString());
    }

    [Fact]
    public void Fingerprints_match_alertmanagers_own_test_vectors()
    {
        // template/template_test.go in prometheus/alertmanager.
        Assert.Equal("9266ef3da838ad95", AlertmanagerPayload.Fingerprint(new Dictionary<string, string> { ["severity"] = "warning", ["job"] = "foo" }));
        Assert.Equal("3b15fd163d36582e", AlertmanagerPayload.Fingerprint(new Dictionary<string, string> { ["severity"] = "critical", ["job"] = "foo" }));
        Assert.Equal("{alertname=\"down\", check=\"a \\\"b\\\"\"}", AlertmanagerPayload.LabelSetString(new Dictionary<string, string> { ["check"] = "a \"b\"", ["alertname"] = "down" }));
    }

    [Fact]
    public async Task A_single_alertmanager_alert_is_grouped_by_alertname_and_check()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(200));

        await Receiver(api.BaseUrl + "/hook", WebhookFormat.Alertmanager).DeliverAsync(Samples.Single(Samples.Resolved()), CancellationToken.None);

        var json = Assert.Single(api.Requests).Json;
        Assert.Equal("resolved", json.GetProperty("status").GetString());
        Assert.Equal("{}:{alertname=\"down\", check=\"nightly-backup\"}", json.GetProperty("groupKey").GetString());
        Assert.Equal("""{"alertname":"down","check":"nightly-backup"}""", json.GetProperty("groupLabels").GetRawText());
    }

    [Fact]
    public async Task An_alert_that_came_from_alertmanager_goes_out_with_its_own_labels_and_fingerprint()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(200));
        var labels = new Dictionary<string, string> { ["alertname"] = "HighRequestLatency", ["job"] = "api", ["severity"] = "page" };
        var external = Samples.Down() with { Check = null, CheckUuid = null, Alert = "HighRequestLatency", Severity = Domain.Checks.Severity.Warning, Reason = "p99 above 2s", Labels = labels };

        await Receiver(api.BaseUrl + "/hook", WebhookFormat.Alertmanager).DeliverAsync(Samples.Single(external), CancellationToken.None);
        await Receiver(api.BaseUrl + "/hook").DeliverAsync(Samples.Single(external), CancellationToken.None);

        var alert = api.Requests[0].Json.GetProperty("alerts")[0];
        Assert.Equal("""{"alertname":"HighRequestLatency","job":"api","severity":"page"}""", alert.GetProperty("labels").GetRawText());
        Assert.Equal(AlertmanagerPayload.Fingerprint(labels), alert.GetProperty("fingerprint").GetString());
        Assert.Equal("p99 above 2s", alert.GetProperty("annotations").GetProperty("summary").GetString());
        var vigil = api.Requests[1].Json;
        Assert.Equal("api", vigil.GetProperty("labels").GetProperty("job").GetString());
        Assert.Equal("HighRequestLatency", Text.MessageText.KindTitle(external.Alert));
        Assert.Equal("DATA STALE", Text.MessageText.KindTitle("data_stale"));
    }

    [Fact]
    public async Task Failures_name_the_receiver_and_the_host_never_the_path_query_or_headers()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(503, Headers: new Dictionary<string, string> { ["Retry-After"] = "12" }));
        var secretUrl = api.BaseUrl + "/hooks/path-token-1234567890?key=query-token-123";
        var unavailable = await Receiver(secretUrl).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);
        Assert.Equal($"webhook receiver 'hook': {api.BaseUrl} answered 503 Service Unavailable; retry after 12s", unavailable.Error);
        Assert.Equal(TimeSpan.FromSeconds(12), unavailable.RetryAfter);

        api.Responder = (_, _) => Reply.HangForever;
        var hang = await Receiver(secretUrl, timeout: TimeSpan.FromMilliseconds(500)).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);
        Assert.Equal($"webhook receiver 'hook': POST to {api.BaseUrl}: no answer within 500ms (timed out)", hang.Error);

        var closed = Clients.Closed();
        var refused = await Receiver(closed + "/hooks/path-token-1234567890").DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);
        Assert.StartsWith($"webhook receiver 'hook': POST to {closed}: connection refused", refused.Error, StringComparison.Ordinal);

        foreach (var result in new[] { unavailable, hang, refused })
        {
            Assert.DoesNotContain("token", result.Error, StringComparison.Ordinal);
        }
    }
}
