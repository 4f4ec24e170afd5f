using System.Text.Json;
using Vigil.Domain.Notifications;
using Vigil.Server.Delivery;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>A receiver that keeps failing: its route's failover receivers take over, then the last-resort file, and
/// delivery_failing reaches a receiver that works. Every row is delivered by exactly one path, visible in the API.</summary>
public sealed class FailoverTests
{
    private static Func<ServerSettings, ServerSettings> Settings(FakeWebhook primary, FakeWebhook backup, FakeWebhook ops, string lastResort) => s => s with
    {
        Receivers =
        [
            new ReceiverSettings("primary", "webhook", Url: primary.Url),
            new ReceiverSettings("backup", "webhook", Url: backup.Url),
            new ReceiverSettings("ops", "webhook", Url: ops.Url),
            new ReceiverSettings(ReceiverRegistry.LastResort, "file", Path: lastResort),
        ],
        Routes =
        [
            new Route { Alerts = ["delivery_failing"], Receivers = ["ops"] },
            new Route { Receivers = ["primary"], Failover = ["backup"] },
        ],
    };

    private static async Task<JsonElement[]> DeliveriesAsync(VigilHost host, string query) =>
        [.. (await host.GetJsonAsync($"api/v1/notifications{query}")).GetProperty("deliveries").EnumerateArray()];

    [Fact]
    public async Task A_failing_primary_fails_over_then_to_the_last_resort_and_delivery_failing_reaches_a_working_receiver()
    {
        await using var primary = await FakeWebhook.StartAsync();
        await using var backup = await FakeWebhook.StartAsync();
        await using var ops = await FakeWebhook.StartAsync();
        using var dir = new TempDir();
        var lastResort = Path.Combine(dir.Path, "undelivered.jsonl");
        primary.AnswerWith = 500;
        await using var host = await VigilHost.StartAsync(Settings(primary, backup, ops, lastResort));
        await host.PutCheckAsync("backup-job", """{"every":"1m","grace":"1m"}""");
        var uuid = await host.UuidOfAsync("backup-job");
        (await host.SendAsync(HttpMethod.Get, $"ping/{uuid}")).Dispose();

        // Down after 2 minutes; the primary refuses it, and before the failover bound nobody else is asked.
        await host.AdvanceAsync(TimeSpan.FromSeconds(130));
        await Poll.UntilAsync(() => primary.All.Count >= 2, "the primary was tried and retried");
        Assert.Empty(backup.All);
        var pending = Assert.Single(await DeliveriesAsync(host, "?check=backup-job"));
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        Assert.Equal("primary", pending.GetProperty("receiver").GetString());
        Assert.True(pending.GetProperty("attempts").GetInt32() >= 1);
        Assert.Contains("500", pending.GetProperty("last_error").GetString(), StringComparison.Ordinal);

        // Past the bound the backup takes over, with the same idempotency key; delivery_failing goes to ops.
        await host.AdvanceAsync(DispatcherOptions.DefaultFailoverAfter + TimeSpan.FromMinutes(2));
        await Poll.UntilAsync(() => backup.Accepted.Count >= 1, "the failover receiver delivered the firing notification");
        var firing = Assert.Single(backup.Accepted);
        Assert.Equal("down", firing.Json.GetProperty("alert").GetString());
        Assert.Equal("firing", firing.Json.GetProperty("state").GetString());
        Assert.Equal(primary.All[0].Header("Idempotency-Key"), firing.Header("Idempotency-Key"));
        await Poll.UntilAsync(() => ops.Accepted.Count >= 1, "delivery_failing reached a working receiver");
        var failing = Assert.Single(ops.Accepted).Json;
        Assert.Equal("delivery_failing", failing.GetProperty("alert").GetString());
        Assert.Contains("'primary'", failing.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("500", failing.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(primary.All, r => r.Body.Contains("delivery_failing", StringComparison.Ordinal));

        var delivered = Assert.Single(await DeliveriesAsync(host, "?check=backup-job"));
        Assert.Equal("delivered", delivered.GetProperty("status").GetString());
        Assert.Equal("backup", delivered.GetProperty("via").GetString());
        Assert.Equal(JsonValueKind.String, delivered.GetProperty("delivered_at").ValueKind);

        // Now the backup fails too: the resolved notification ends in the last-resort file, once.
        backup.AnswerWith = 500;
        var primaryTries = primary.All.Count;
        (await host.SendAsync(HttpMethod.Get, $"ping/{uuid}")).Dispose();

        // Paused, so the minutes that pass next do not take it down again.
        (await host.AdminAsync(HttpMethod.Post, "api/v1/checks/backup-job/pause")).Dispose();
        await Poll.UntilAsync(() => primary.All.Count > primaryTries, "the primary was tried with the resolved notification");
        await host.AdvanceAsync(DispatcherOptions.DefaultFailoverAfter + TimeSpan.FromMinutes(2));
        await Poll.UntilAsync(() => File.Exists(lastResort) && File.ReadAllLines(lastResort).Length >= 1, "the last resort got the resolved notification");
        await Poll.UntilAsync(host.OutboxEmptyAsync, "the outbox is empty");
        await host.DeliveriesIdleAsync();
        var line = JsonDocument.Parse(Assert.Single(File.ReadAllLines(lastResort))).RootElement;
        Assert.Equal("resolved", line.GetProperty("state").GetString());
        Assert.Equal("backup-job", line.GetProperty("check").GetProperty("name").GetString());
        Assert.Single(backup.Accepted);

        var all = await DeliveriesAsync(host, "?check=backup-job");
        Assert.Equal(2, all.Length);
        Assert.Equal(ReceiverRegistry.LastResort, all[0].GetProperty("via").GetString());
        Assert.Equal("resolved", all[0].GetProperty("state").GetString());
        Assert.All(all, d => Assert.Equal("delivered", d.GetProperty("status").GetString()));

        // delivery_failing was said once within its interval, not once per failed-over row.
        Assert.Single(ops.Accepted);
    }

    [Fact]
    public async Task A_receiver_that_recovers_before_the_bound_gets_its_row_and_nobody_else_does()
    {
        await using var primary = await FakeWebhook.StartAsync();
        await using var backup = await FakeWebhook.StartAsync();
        await using var ops = await FakeWebhook.StartAsync();
        using var dir = new TempDir();
        var lastResort = Path.Combine(dir.Path, "undelivered.jsonl");
        primary.AnswerWith = 500;
        await using var host = await VigilHost.StartAsync(Settings(primary, backup, ops, lastResort));
        await host.PutCheckAsync("job", """{"every":"1m","grace":"1m"}""");
        (await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync("job")}")).Dispose();
        await host.AdvanceAsync(TimeSpan.FromSeconds(130));
        await Poll.UntilAsync(() => primary.All.Count >= 1, "the primary was tried");

        primary.AnswerWith = 200;
        await host.AdvanceAsync(TimeSpan.FromSeconds(60));
        await Poll.UntilAsync(() => primary.Accepted.Count >= 1, "the primary delivered after recovering");
        await Poll.UntilAsync(host.OutboxEmptyAsync, "the outbox is empty");
        await host.AdvanceAsync(DispatcherOptions.DefaultFailoverAfter);
        await host.DeliveriesIdleAsync();
        Assert.Empty(backup.All);
        Assert.Empty(ops.All);
        Assert.False(File.Exists(lastResort));
        var row = Assert.Single(await DeliveriesAsync(host, "?check=job"));
        Assert.Equal(JsonValueKind.Null, row.GetProperty("via").ValueKind);
        Assert.Equal("delivered", row.GetProperty("status").GetString());
    }
}
