using System.Text.Json;
using Microsoft.Data.Sqlite;
using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>Alertmanager in: each alert state becomes one notification through the routes, silences and outbox, and a
/// retried delivery (same fingerprint, status and startsAt, or the same Idempotency-Key) never makes a second one.</summary>
public sealed class AlertmanagerIntakeTests
{
    private static async Task<(int Status, JsonElement Json)> PostAsync(VigilHost host, string key, string payload, string? idempotencyKey = null)
    {
        using var request = host.Request(HttpMethod.Post, AlertmanagerPayload.Path, key, payload);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await host.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static async Task<JsonElement> AcceptAsync(VigilHost host, string key, string payload, string? idempotencyKey = null)
    {
        var (status, json) = await PostAsync(host, key, payload, idempotencyKey);
        Assert.True(status == 200, $"answered {status}: {json}");
        return json;
    }

    /// <summary>What the receiver was told about alerts from Alertmanager (Vigil's own restart notice left out).</summary>
    private static List<ReceivedRequest> FromAlertmanager(FakeWebhook hook) =>
        [.. hook.Accepted.Where(r => r.Json.GetProperty("alert").GetString() != AlertKind.VigilRestarted)];

    private static async Task SettleAsync(VigilHost host) => await Poll.UntilAsync(host.OutboxEmptyAsync, "the outbox is empty");

    private static long IntakeRows(VigilHost host)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = host.Settings.EffectiveSqlitePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM alert_intake;";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public async Task The_same_payload_twice_makes_one_notification()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook));
        var key = await host.CreateKeyAsync("alertmanager", "write");
        var payload = AlertmanagerPayload.Of(new TestAlert("a1b2c3d4e5f60718"));

        var first = await AcceptAsync(host, key, payload);
        Assert.Equal(1, first.GetProperty("received").GetInt32());
        Assert.Equal(1, first.GetProperty("accepted").GetInt32());
        Assert.Equal(0, first.GetProperty("deduplicated").GetInt32());
        await Poll.UntilAsync(() => FromAlertmanager(hook).Count >= 1, "the receiver got the alert");

        var second = await AcceptAsync(host, key, payload);
        Assert.Equal(0, second.GetProperty("accepted").GetInt32());
        Assert.Equal(1, second.GetProperty("deduplicated").GetInt32());
        await SettleAsync(host);

        var told = Assert.Single(FromAlertmanager(hook)).Json;
        Assert.Equal("DiskFull", told.GetProperty("alert").GetString());
        Assert.Equal("firing", told.GetProperty("state").GetString());
        Assert.Equal("critical", told.GetProperty("severity").GetString());
        Assert.Equal("disk /var is 97% full", told.GetProperty("reason").GetString());
        Assert.Equal("the WAL volume fills up", told.GetProperty("description").GetString());
        Assert.Equal("https://wiki.example/runbooks/disk", told.GetProperty("runbook").GetString());
        Assert.Equal("2026-03-02T08:55:00.1234567Z", told.GetProperty("since").GetString());
        Assert.Equal(JsonValueKind.Null, told.GetProperty("check").ValueKind);
        Assert.Equal("db-1:9100", told.GetProperty("labels").GetProperty("instance").GetString());
    }

    [Fact]
    public async Task Alerts_already_seen_in_a_group_are_deduplicated_one_by_one()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook));
        var key = await host.CreateKeyAsync("alertmanager", "write");
        await AcceptAsync(host, key, AlertmanagerPayload.Of(new TestAlert("0000000000000001")));

        // Alertmanager sends the whole group again when a new alert joins it.
        var grown = await AcceptAsync(host, key, AlertmanagerPayload.Of(new TestAlert("0000000000000001"), new TestAlert("0000000000000002", Summary: "disk /data is 99% full")));
        Assert.Equal(1, grown.GetProperty("accepted").GetInt32());
        Assert.Equal(1, grown.GetProperty("deduplicated").GetInt32());
        await Poll.UntilAsync(() => FromAlertmanager(hook).Count >= 2, "the receiver got both alerts");
        await SettleAsync(host);
        Assert.Equal(["disk /var is 97% full", "disk /data is 99% full"], FromAlertmanager(hook).Select(r => r.Json.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task The_same_idempotency_key_with_another_payload_is_409_and_sends_nothing()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook));
        var key = await host.CreateKeyAsync("alertmanager", "write");
        var payload = AlertmanagerPayload.Of(new TestAlert("00000000000000aa"));
        await AcceptAsync(host, key, payload, idempotencyKey: "delivery-1");

        var retried = await AcceptAsync(host, key, payload, idempotencyKey: "delivery-1");
        Assert.True(retried.GetProperty("replayed").GetBoolean());
        Assert.Equal(0, retried.GetProperty("accepted").GetInt32());

        var other = AlertmanagerPayload.Of(new TestAlert("00000000000000bb", AlertName: "CpuHot", Summary: "cpu at 100%"));
        using (var request = host.Request(HttpMethod.Post, AlertmanagerPayload.Path, key, other))
        {
            request.Headers.Add("Idempotency-Key", "delivery-1");
            using var response = await host.Http.SendAsync(request);
            var problem = await response.ProblemAsync(409);
            Assert.Contains("Idempotency-Key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal("Idempotency-Key", problem.GetProperty("field").GetString());
        }

        await Poll.UntilAsync(() => FromAlertmanager(hook).Count >= 1, "the receiver got the first alert");
        await SettleAsync(host);
        var told = Assert.Single(FromAlertmanager(hook));
        Assert.Equal("DiskFull", told.Json.GetProperty("alert").GetString());

        // The refused payload was not recorded either: under a new key it is accepted.
        var fresh = await AcceptAsync(host, key, other, idempotencyKey: "delivery-2");
        Assert.Equal(1, fresh.GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task A_resolution_after_a_firing_is_delivered_too_and_only_once()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook));
        var key = await host.CreateKeyAsync("alertmanager", "write");
        await AcceptAsync(host, key, AlertmanagerPayload.Of(new TestAlert("00000000000000cc")));
        var resolved = AlertmanagerPayload.Of(new TestAlert("00000000000000cc", Status: "resolved"));
        Assert.Equal(1, (await AcceptAsync(host, key, resolved)).GetProperty("accepted").GetInt32());
        Assert.Equal(1, (await AcceptAsync(host, key, resolved)).GetProperty("deduplicated").GetInt32());

        await Poll.UntilAsync(() => FromAlertmanager(hook).Count >= 2, "the receiver got the firing and the resolution");
        await SettleAsync(host);
        var told = FromAlertmanager(hook);
        Assert.Equal(["firing", "resolved"], told.Select(r => r.Json.GetProperty("state").GetString()));
        Assert.Equal("2026-03-02T09:00:30Z", told[1].Json.GetProperty("at").GetString());
        Assert.NotEqual(told[0].Header("Idempotency-Key"), told[1].Header("Idempotency-Key"));

        // The same alert firing again later is a new episode (a new startsAt): told again.
        Assert.Equal(1, (await AcceptAsync(host, key, AlertmanagerPayload.Of(new TestAlert("00000000000000cc", StartsAt: "2026-03-02T09:10:00Z")))).GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task Deduplication_survives_a_restart()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook));
        var key = await host.CreateKeyAsync("alertmanager", "write");
        var payload = AlertmanagerPayload.Of(new TestAlert("00000000000000dd"));
        await AcceptAsync(host, key, payload, idempotencyKey: "k-1");
        await Poll.UntilAsync(() => FromAlertmanager(hook).Count >= 1, "the receiver got the alert");

        await host.RestartAsync();
        var again = await AcceptAsync(host, key, payload);
        Assert.Equal(1, again.GetProperty("deduplicated").GetInt32());
        Assert.True((await AcceptAsync(host, key, payload, idempotencyKey: "k-1")).GetProperty("replayed").GetBoolean());
        var (status, _) = await PostAsync(host, key, AlertmanagerPayload.Of(new TestAlert("00000000000000ee")), idempotencyKey: "k-1");
        Assert.Equal(409, status);
        await SettleAsync(host);
        Assert.Single(FromAlertmanager(hook));
    }

    [Fact]
    public async Task Records_are_pruned_once_the_retention_has_passed()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook));
        var key = await host.CreateKeyAsync("alertmanager", "write");
        var payload = AlertmanagerPayload.Of(new TestAlert("00000000000000ff"), new TestAlert("0000000000000100"));
        await AcceptAsync(host, key, payload, idempotencyKey: "old");
        Assert.Equal(3, IntakeRows(host));

        await host.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(3, IntakeRows(host));

        // A week later (one jump: Vigil counts it as a span it was not watching and waits its startup grace).
        host.Time.Advance(Domain.Intake.AlertIntake.DefaultRetention);
        await host.AdvanceAsync(host.Settings.StartupGrace + TimeSpan.FromSeconds(10));
        await Poll.UntilAsync(() => IntakeRows(host) == 0, "the expired records were pruned from the table");

        // Forgotten, so the same alert state is news again (Alertmanager repeats a firing alert far more often).
        Assert.Equal(2, (await AcceptAsync(host, key, payload, idempotencyKey: "old")).GetProperty("accepted").GetInt32());
        Assert.Equal(3, IntakeRows(host));
    }

    [Fact]
    public async Task Alerts_are_routed_by_alert_and_severity()
    {
        await using var disks = await FakeWebhook.StartAsync();
        await using var warnings = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(s => s with
        {
            Receivers = [new ReceiverSettings("disks", "webhook", Url: disks.Url), new ReceiverSettings("warnings", "webhook", Url: warnings.Url)],
            Routes =
            [
                new Route { MatchCheck = "*", Receivers = ["warnings"], Continue = false },
                new Route { Alerts = ["DiskFull"], Receivers = ["disks"] },
                new Route { MatchSeverity = Severity.Warning, Receivers = ["warnings"] },
            ],
        });
        var key = await host.CreateKeyAsync("alertmanager", "write");
        await AcceptAsync(host, key, AlertmanagerPayload.Of(
            new TestAlert("0000000000000201"),
            new TestAlert("0000000000000202", AlertName: "CpuHot", Severity: "warning", Summary: "cpu at 95%"),
            new TestAlert("0000000000000203", AlertName: "Odd", Severity: "page", Summary: "an unknown severity is a warning")));

        await Poll.UntilAsync(() => disks.Accepted.Count >= 1 && warnings.Accepted.Count >= 2, "both receivers got their alerts");
        await SettleAsync(host);
        Assert.Equal("DiskFull", Assert.Single(disks.Accepted).Json.GetProperty("alert").GetString());
        Assert.Equal(["CpuHot", "Odd"], warnings.Accepted.Select(r => r.Json.GetProperty("alert").GetString()).Order());
    }

    [Fact]
    public async Task A_silence_holds_an_alert_back_until_it_ends()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook));
        var key = await host.CreateKeyAsync("alertmanager", "write");
        using var created = await host.AdminAsync(HttpMethod.Post, "api/v1/silences", """{"match":{"severity":"warning"},"duration":"1h","reason":"disk swap"}""");
        var silence = (await created.JsonAsync()).GetProperty("id").GetString();

        var held = await AcceptAsync(host, key, AlertmanagerPayload.Of(new TestAlert("0000000000000301", Severity: "warning")));
        Assert.Equal(1, held.GetProperty("held_back").GetInt32());
        var critical = await AcceptAsync(host, key, AlertmanagerPayload.Of(new TestAlert("0000000000000302", AlertName: "Down")));
        Assert.Equal(0, critical.GetProperty("held_back").GetInt32());
        await Poll.UntilAsync(() => FromAlertmanager(hook).Count >= 1, "the critical alert was sent");
        await SettleAsync(host);
        Assert.Equal("Down", Assert.Single(FromAlertmanager(hook)).Json.GetProperty("alert").GetString());

        // A retry while silenced is still a duplicate; across a restart the held alert is still owed.
        Assert.Equal(1, (await AcceptAsync(host, key, AlertmanagerPayload.Of(new TestAlert("0000000000000301", Severity: "warning")))).GetProperty("deduplicated").GetInt32());
        await host.RestartAsync();
        using (var expired = await host.AdminAsync(HttpMethod.Delete, $"api/v1/silences/{silence}"))
        {
            Assert.Equal(200, (int)expired.StatusCode);
        }

        await Poll.UntilAsync(() => FromAlertmanager(hook).Count >= 2, "the held-back alert was sent when the silence ended");
        await SettleAsync(host);
        var released = FromAlertmanager(hook)[1].Json;
        Assert.Equal("DiskFull", released.GetProperty("alert").GetString());
        Assert.Equal("warning", released.GetProperty("severity").GetString());
        Assert.Equal(2, FromAlertmanager(hook).Count);
    }

    [Fact]
    public async Task A_resolution_of_an_alert_people_never_heard_of_sends_nothing()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook));
        var key = await host.CreateKeyAsync("alertmanager", "write");
        using var created = await host.AdminAsync(HttpMethod.Post, "api/v1/silences", """{"match":{"severity":"warning"},"duration":"1h","reason":"noisy"}""");
        var silence = (await created.JsonAsync()).GetProperty("id").GetString();
        await AcceptAsync(host, key, AlertmanagerPayload.Of(new TestAlert("0000000000000401", Severity: "warning")));
        await AcceptAsync(host, key, AlertmanagerPayload.Of(new TestAlert("0000000000000401", Status: "resolved", Severity: "warning")));
        using (var expired = await host.AdminAsync(HttpMethod.Delete, $"api/v1/silences/{silence}"))
        {
            Assert.Equal(200, (int)expired.StatusCode);
        }

        // Something sent afterwards arrives; nothing about the silenced alert came before it.
        await AcceptAsync(host, key, AlertmanagerPayload.Of(new TestAlert("0000000000000402", AlertName: "Marker")));
        await Poll.UntilAsync(() => FromAlertmanager(hook).Count >= 1, "the marker alert was sent");
        await SettleAsync(host);
        Assert.Equal("Marker", Assert.Single(FromAlertmanager(hook)).Json.GetProperty("alert").GetString());
    }

    [Fact]
    public async Task It_needs_a_write_key()
    {
        await using var host = await VigilHost.StartAsync();
        var payload = AlertmanagerPayload.Of(new TestAlert("0000000000000501"));
        var ping = await host.CreateKeyAsync("k-ping", "ping");
        var read = await host.CreateKeyAsync("k-read", "read");
        var write = await host.CreateKeyAsync("k-write", "write");

        using (var none = await host.SendAsync(HttpMethod.Post, AlertmanagerPayload.Path, null, payload))
        {
            await none.ProblemAsync(401);
        }

        foreach (var weak in new[] { ping, read })
        {
            using var response = await host.SendAsync(HttpMethod.Post, AlertmanagerPayload.Path, weak, payload);
            await response.ProblemAsync(403);
        }

        Assert.Equal(1, (await AcceptAsync(host, write, payload)).GetProperty("accepted").GetInt32());
    }

    public static TheoryData<string, string, string> BadPayloads()
    {
        var good = JsonDocument.Parse(AlertmanagerPayload.Of(new TestAlert("0000000000000601"))).RootElement;
        string Edit(Action<System.Text.Json.Nodes.JsonObject> edit)
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(good.GetRawText())!.AsObject();
            edit(node);
            return node.ToJsonString();
        }

        System.Text.Json.Nodes.JsonObject Alert(System.Text.Json.Nodes.JsonObject root) => root["alerts"]![0]!.AsObject();

        return new TheoryData<string, string, string>
        {
            { "not JSON", "{\"version\":", "$" },
            { "an array", "[]", "$" },
            { "no version", Edit(r => r.Remove("version")), "version" },
            { "version 3", Edit(r => r["version"] = "3"), "version" },
            { "version as a number", Edit(r => r["version"] = 4), "version" },
            { "a bad status", Edit(r => r["status"] = "pending"), "status" },
            { "no alerts", Edit(r => r.Remove("alerts")), "alerts" },
            { "alerts not a list", Edit(r => r["alerts"] = "DiskFull"), "alerts" },
            { "an empty list", Edit(r => r["alerts"] = new System.Text.Json.Nodes.JsonArray()), "alerts" },
            { "commonLabels not an object", Edit(r => r["commonLabels"] = "x"), "commonLabels" },
            { "negative truncatedAlerts", Edit(r => r["truncatedAlerts"] = -1), "truncatedAlerts" },
            { "an alert without status", Edit(r => Alert(r).Remove("status")), "alerts[0].status" },
            { "an alert without labels", Edit(r => Alert(r).Remove("labels")), "alerts[0].labels" },
            { "a label that is not a string", Edit(r => Alert(r)["labels"]!["instance"] = 3), "alerts[0].labels.instance" },
            { "an annotation that is not a string", Edit(r => Alert(r)["annotations"]!["summary"] = true), "alerts[0].annotations.summary" },
            { "no startsAt", Edit(r => Alert(r).Remove("startsAt")), "alerts[0].startsAt" },
            { "a startsAt without an offset", Edit(r => Alert(r)["startsAt"] = "2026-03-02T08:55:00"), "alerts[0].startsAt" },
            { "a startsAt of Go's zero time", Edit(r => Alert(r)["startsAt"] = "0001-01-01T00:00:00Z"), "alerts[0].startsAt" },
            { "a bad endsAt", Edit(r => Alert(r)["endsAt"] = "soon"), "alerts[0].endsAt" },
            { "no fingerprint", Edit(r => Alert(r).Remove("fingerprint")), "alerts[0].fingerprint" },
            { "a fingerprint that is not hex", Edit(r => Alert(r)["fingerprint"] = "not-a-fingerprint"), "alerts[0].fingerprint" },
        };
    }

    [Theory]
    [MemberData(nameof(BadPayloads))]
    public async Task A_bad_payload_is_a_400_naming_the_field(string what, string payload, string field)
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook));
        using var response = await host.SendAsync(HttpMethod.Post, AlertmanagerPayload.Path, host.AdminKey, payload);
        var problem = await response.ProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{what}: the problem should name '{field}': {problem}");
        Assert.Equal(0, IntakeRows(host));
    }

    [Fact]
    public async Task A_bad_idempotency_key_is_a_400_naming_the_header()
    {
        await using var host = await VigilHost.StartAsync();
        using var request = host.Request(HttpMethod.Post, AlertmanagerPayload.Path, host.AdminKey, AlertmanagerPayload.Of(new TestAlert("0000000000000701")));
        request.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 256));
        using var response = await host.Http.SendAsync(request);
        var problem = await response.ProblemAsync(400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("Idempotency-Key", out _), problem.ToString());
    }
}
