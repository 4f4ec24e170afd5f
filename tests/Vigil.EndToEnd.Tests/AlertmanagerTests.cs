using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Testing;
using Xunit.Abstractions;

namespace Vigil.EndToEnd.Tests;

/// <summary>promises.md: retried Alertmanager webhooks never produce a second notification. A real Alertmanager
/// delivers to a real <c>vigil serve</c> through a proxy that loses the first answer, so Alertmanager retries.</summary>
public sealed class AlertmanagerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private FakeWebhook _hook = null!;
    private VigilServerProcess _vigil = null!;
    private FlakyProxy _proxy = null!;
    private AlertmanagerProcess? _alertmanager;

    public async Task InitializeAsync()
    {
        _hook = await FakeWebhook.StartAsync();
        _vigil = new VigilServerProcess("""
            nightly:
              every: 1d
              grace: 1h
            """, _hook.Url);
        await _vigil.StartAsync();
        _proxy = await FlakyProxy.StartAsync(_vigil.BaseUrl);
    }

    public async Task DisposeAsync()
    {
        if (_alertmanager is not null)
        {
            output.WriteLine(_alertmanager.Output);
            await _alertmanager.DisposeAsync();
        }

        await _proxy.DisposeAsync();
        output.WriteLine(_vigil.Process?.Output ?? "");
        await _vigil.DisposeAsync();
        await _hook.DisposeAsync();
    }

    private async Task<string> WriteKeyAsync()
    {
        using var response = await _vigil.Http.PostAsync(new Uri("/api/v1/keys", UriKind.Relative),
            new StringContent("""{"name":"alertmanager","scope":"write"}""", Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 201, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("key").GetString()!;
    }

    private async Task PushAsync(JsonObject alert)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.PostAsJsonAsync(new Uri(_alertmanager!.BaseUrl + "/api/v2/alerts"), new JsonArray(alert));
        Assert.True(response.IsSuccessStatusCode, $"Alertmanager answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<bool> OutboxEmptyAsync()
    {
        using var health = JsonDocument.Parse(await _vigil.Http.GetStringAsync(new Uri("/api/v1/health", UriKind.Relative)));
        return health.RootElement.GetProperty("components").EnumerateArray()
            .Any(c => c.GetProperty("name").GetString() == "outbox" && c.GetProperty("reason").GetString() == "nothing pending");
    }

    private List<FakeWebhook.Delivery> DiskFull() => [.. _hook.Deliveries.Where(d => d.Alert == "DiskFull" && d.AnsweredWith == FakeWebhook.Behaviour.Accept)];

    [Fact]
    public async Task Alertmanager_retrying_a_lost_answer_makes_one_notification_and_its_resolution_one_more()
    {
        var key = await WriteKeyAsync();
        _alertmanager = await AlertmanagerProcess.StartAsync($"""
            route:
              receiver: vigil
              group_by: [alertname]
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: vigil
                webhook_configs:
                  - url: {_proxy.BaseUrl}/api/v1/integrations/alertmanager
                    send_resolved: true
                    http_config:
                      authorization:
                        type: Bearer
                        credentials: {key}
            """);

        var labels = new JsonObject { ["alertname"] = "DiskFull", ["severity"] = "critical", ["instance"] = "db-1:9100" };
        await PushAsync(new JsonObject
        {
            ["labels"] = labels.DeepClone(),
            ["annotations"] = new JsonObject { ["summary"] = "disk /var is 97% full", ["runbook_url"] = "https://wiki.example/disk" },
            ["generatorURL"] = "http://prometheus.example:9090/graph",
        });

        // Vigil accepted the first delivery, Alertmanager was told 500 and sent it again: Vigil knew it.
        await Poll.UntilAsync(() => _proxy.Exchanges.Count >= 2, TimeSpan.FromSeconds(30), "Alertmanager to retry the delivery whose answer was lost");
        var exchanges = _proxy.Exchanges;
        Assert.True(exchanges[0] is { VigilStatus: 200, Answered: 500 }, exchanges[0].ToString());
        Assert.Equal(1, JsonDocument.Parse(exchanges[0].VigilBody).RootElement.GetProperty("accepted").GetInt32());
        Assert.True(exchanges[1] is { VigilStatus: 200, Answered: 200 }, exchanges[1].ToString());
        Assert.Equal(1, JsonDocument.Parse(exchanges[1].VigilBody).RootElement.GetProperty("deduplicated").GetInt32());
        Assert.Equal(0, JsonDocument.Parse(exchanges[1].VigilBody).RootElement.GetProperty("accepted").GetInt32());

        await Poll.UntilAsync(() => DiskFull().Count >= 1, TimeSpan.FromSeconds(15), "Vigil's receiver to get the alert");
        await Poll.UntilAsync(OutboxEmptyAsync, TimeSpan.FromSeconds(15), "Vigil's outbox to be empty");
        var firing = Assert.Single(DiskFull());
        Assert.Equal("firing", firing.State);
        Assert.Equal("critical", firing.Body["severity"]!.GetValue<string>());
        Assert.Equal("disk /var is 97% full", firing.Body["reason"]!.GetValue<string>());
        Assert.Equal("https://wiki.example/disk", firing.Body["runbook"]!.GetValue<string>());
        Assert.Equal("db-1:9100", firing.Body["labels"]!["instance"]!.GetValue<string>());

        // Resolved in Alertmanager: one resolution arrives, and nothing more.
        await PushAsync(new JsonObject
        {
            ["labels"] = labels.DeepClone(),
            ["annotations"] = new JsonObject { ["summary"] = "disk /var is 97% full" },
            ["endsAt"] = TimeProvider.System.GetUtcNow().AddSeconds(-1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        });
        await Poll.UntilAsync(() => DiskFull().Count >= 2, TimeSpan.FromSeconds(20), "Vigil's receiver to get the resolution");
        await Poll.UntilAsync(OutboxEmptyAsync, TimeSpan.FromSeconds(15), "Vigil's outbox to be empty");
        var told = DiskFull();
        Assert.Equal(["firing", "resolved"], told.Select(d => d.State));
        Assert.NotEqual(told[0].IdempotencyKey, told[1].IdempotencyKey);
        Assert.All(_proxy.Exchanges, e => Assert.Equal(200, e.VigilStatus));
    }
}
