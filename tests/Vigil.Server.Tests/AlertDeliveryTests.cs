using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vigil.Domain.Notifications;
using Vigil.Server.Tests.Infrastructure;

namespace Vigil.Server.Tests;

/// <summary>Missed deadlines become signed webhook deliveries, exactly once, retried with the same idempotency key.</summary>
public sealed class AlertDeliveryTests
{
    private static void AssertSigned(ReceivedRequest request)
    {
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(VigilHost.WebhookSecret), Encoding.UTF8.GetBytes(request.Body)));
        Assert.Equal(expected, request.Header("X-Vigil-Signature"));
    }

    private static bool IsAlert(ReceivedRequest r, string alert, string state) =>
        r.Json.GetProperty("alert").GetString() == alert && r.Json.GetProperty("state").GetString() == state;

    [Fact]
    public async Task A_missed_deadline_fires_exactly_once_and_a_ping_resolves_exactly_once()
    {
        await using var hook = await FakeWebhook.StartAsync();
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook));
        await host.PutCheckAsync("backup", """{"every":"1m","grace":"1m","runbook":"https://wiki.example/backup","tags":["db"]}""");
        var uuid = await host.UuidOfAsync("backup");
        using (var ping = await host.SendAsync(HttpMethod.Get, $"ping/{uuid}"))
        {
            Assert.Equal(200, (int)ping.StatusCode);
        }

        await host.AdvanceAsync(TimeSpan.FromSeconds(65));
        Assert.Equal("grace", await host.StatusOfAsync("backup"));
        await host.DeliveriesIdleAsync();
        Assert.Empty(hook.All);

        await host.AdvanceAsync(TimeSpan.FromSeconds(60));
        await Poll.UntilAsync(() => hook.Accepted.Count >= 1, "the webhook received the down notification");
        await Poll.UntilAsync(host.OutboxEmptyAsync, "the outbox is empty");
        Assert.Equal("down", await host.StatusOfAsync("backup"));

        var firing = Assert.Single(hook.All);
        var body = firing.Json;
        Assert.Equal("down", body.GetProperty("alert").GetString());
        Assert.Equal("firing", body.GetProperty("state").GetString());
        Assert.Equal("down", body.GetProperty("status").GetString());
        Assert.Equal("critical", body.GetProperty("severity").GetString());
        Assert.Equal("backup", body.GetProperty("check").GetProperty("name").GetString());
        Assert.Equal(uuid.ToString(), body.GetProperty("check").GetProperty("uuid").GetString());
        Assert.Equal("https://wiki.example/backup", body.GetProperty("runbook").GetString());
        Assert.Contains("grace", body.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("Z", body.GetProperty("at").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("Z", body.GetProperty("since").GetString(), StringComparison.Ordinal);
        Assert.Equal("2026-03-02T09:02:00Z", body.GetProperty("at").GetString());
        Assert.Equal(body.GetProperty("id").GetString(), firing.Header("Idempotency-Key"));
        AssertSigned(firing);

        // More time passes: still one firing notification, not a reminder per evaluation.
        await host.AdvanceAsync(TimeSpan.FromSeconds(30));
        await host.DeliveriesIdleAsync();
        Assert.Single(hook.All);

        using (var ping = await host.SendAsync(HttpMethod.Post, $"ping/{uuid}"))
        {
            Assert.Equal(200, (int)ping.StatusCode);
        }

        await Poll.UntilAsync(() => hook.Accepted.Count >= 2, "the webhook received the resolved notification");
        await Poll.UntilAsync(host.OutboxEmptyAsync, "the outbox is empty");
        Assert.Equal(2, hook.All.Count);
        var resolved = hook.All[1];
        Assert.True(IsAlert(resolved, "down", "resolved"), resolved.Body);
        Assert.Equal("up", resolved.Json.GetProperty("status").GetString());
        Assert.NotEqual(firing.Header("Idempotency-Key"), resolved.Header("Idempotency-Key"));
        AssertSigned(resolved);
    }

    [Fact]
    public async Task A_receiver_answering_500_is_retried_with_the_same_idempotency_key()
    {
        await using var hook = await FakeWebhook.StartAsync();
        hook.AnswerWith = 500;
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook));
        await host.PutCheckAsync("job", """{"every":"1h"}""");
        using (await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync("job")}/fail"))
        {
        }

        await Poll.UntilAsync(() => host.Logs.All.Contains("Delivery to hook failed (attempt 1)", StringComparison.Ordinal), "the failed attempt is recorded");
        await host.DeliveriesIdleAsync();
        Assert.Single(hook.All);
        Assert.False(await host.OutboxEmptyAsync());

        hook.AnswerWith = 200;
        await host.AdvanceAsync(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));
        await Poll.UntilAsync(() => hook.Accepted.Count == 1, "the retry was accepted");
        await Poll.UntilAsync(host.OutboxEmptyAsync, "the outbox is empty");
        Assert.Equal(2, hook.All.Count);
        Assert.Equal(hook.All[0].Header("Idempotency-Key"), hook.All[1].Header("Idempotency-Key"));
        Assert.Equal(hook.All[0].Body, hook.All[1].Body);
        AssertSigned(hook.All[1]);
    }

    [Fact]
    public async Task A_429_with_retry_after_is_honoured()
    {
        await using var hook = await FakeWebhook.StartAsync();
        hook.AnswerWith = 429;
        hook.RetryAfterSeconds = 30;
        await using var host = await VigilHost.StartAsync(VigilHost.WithWebhook(hook));
        await host.PutCheckAsync("job", """{"every":"1h"}""");
        using (await host.SendAsync(HttpMethod.Get, $"ping/{await host.UuidOfAsync("job")}/fail"))
        {
        }

        await Poll.UntilAsync(() => host.Logs.All.Contains("Delivery to hook failed (attempt 1)", StringComparison.Ordinal), "the failed attempt is recorded");
        hook.AnswerWith = 200;
        await host.AdvanceAsync(TimeSpan.FromSeconds(20));
        await host.DeliveriesIdleAsync();
        Assert.Single(hook.All);
        await host.AdvanceAsync(TimeSpan.FromSeconds(11));
        await Poll.UntilAsync(() => hook.Accepted.Count == 1, "the delivery after Retry-After was accepted");
        Assert.Equal(hook.All[0].Header("Idempotency-Key"), hook.All[1].Header("Idempotency-Key"));
    }

    [Fact]
    public async Task The_file_receiver_appends_one_json_line_per_notification()
    {
        using var files = new TempDir();
        var path = files.Combine("alerts/vigil.jsonl");
        await using var host = await VigilHost.StartAsync(s => s with
        {
            Receivers = [new ReceiverSettings("disk", "file", Path: path)],
            Routes = [new Route { Receivers = ["disk"] }],
        });
        await host.PutCheckAsync("job", """{"every":"1h"}""");
        var uuid = await host.UuidOfAsync("job");
        using (await host.SendAsync(HttpMethod.Get, $"ping/{uuid}/fail"))
        {
        }

        await Poll.UntilAsync(() => File.Exists(path) && File.ReadAllLines(path).Length == 1, "one line is in the file");
        using (await host.SendAsync(HttpMethod.Get, $"ping/{uuid}"))
        {
        }

        await Poll.UntilAsync(() => File.ReadAllLines(path).Length == 2, "two lines are in the file");
        await Poll.UntilAsync(host.OutboxEmptyAsync, "the outbox is empty");
        var lines = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["firing", "resolved"], lines.Select(l => l.GetProperty("state").GetString()));
        Assert.All(lines, l =>
        {
            Assert.Equal("disk", l.GetProperty("receiver").GetString());
            Assert.Equal("job", l.GetProperty("check").GetProperty("name").GetString());
            Assert.Equal(l.GetProperty("id").GetString(), l.GetProperty("idempotency_key").GetString());
        });
    }
}
