using System.Text.Json;

namespace Vigil.Receivers.Tests;

/// <summary>A Discord webhook against a real HTTP fake: embeds coloured by severity, within Discord's limits.</summary>
public sealed class DiscordReceiverTests
{
    private const string WebhookPath = "/api/webhooks/1234567890123456789/Sup3r-Secret_WebhookToken-abcdefghijklmnop";

    private static DiscordReceiver Receiver(string baseUrl, double timeoutSeconds = 5) =>
        new("dc", new DiscordOptions(baseUrl + WebhookPath), Clients.Http(timeoutSeconds), Samples.Clock());

    private static readonly string Created = """{"id":"1","type":0,"content":"x","channel_id":"2","embeds":[]}""";

    [Fact]
    public async Task A_single_alert_is_content_plus_one_embed_coloured_by_severity_with_wait_true_and_no_mentions()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(200, Created));
        var pinging = Samples.Down() with { Description = "@everyone look at [this](https://evil.example) **now**" };

        var result = await Receiver(api.BaseUrl).DeliverAsync(Samples.Single(pinging), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var request = Assert.Single(api.Requests);
        Assert.Equal(WebhookPath, request.Path);
        Assert.Equal("?wait=true", request.Query);
        var json = request.Json;
        Assert.Equal("🔴 DOWN: nightly-backup", json.GetProperty("content").GetString());
        Assert.Equal(0, json.GetProperty("allowed_mentions").GetProperty("parse").GetArrayLength());
        var embed = Assert.Single(json.GetProperty("embeds").EnumerateArray());
        Assert.Equal("🔴 DOWN: nightly-backup", embed.GetProperty("title").GetString());
        Assert.Equal(DiscordReceiver.CriticalColour, embed.GetProperty("color").GetInt32());
        Assert.Equal("https://vigil.example/checks/nightly-backup", embed.GetProperty("url").GetString());
        var description = embed.GetProperty("description").GetString()!;
        Assert.Contains("**Issue:** \\@everyone look at \\[this\\](https://evil.example) \\*\\*now\\*\\*", description, StringComparison.Ordinal);
        Assert.Contains("**Action:** [https://wiki.example/runbooks/backup](https://wiki.example/runbooks/backup)", description, StringComparison.Ordinal);
        Assert.Contains("**Since:** 5m ago (2026-03-02 09:02:00 UTC)", description, StringComparison.Ordinal);
    }

    [Fact]
    public void Colours_are_red_amber_blue_green()
    {
        var message = new OutgoingMessage("k", "dc",
        [
            Samples.Down("a", Vigil.Domain.Checks.Severity.Critical),
            Samples.Down("b", Vigil.Domain.Checks.Severity.Warning),
            Samples.Down("c", Vigil.Domain.Checks.Severity.Info),
            Samples.Resolved("d"),
        ]);

        var colours = DiscordReceiver.Payload(message, Samples.Now)["embeds"]!.AsArray().Select(e => (int)e!["color"]!).ToList();

        Assert.Equal([0xD32F2F, 0xFFA000, 0x1976D2, 0x2E7D32], colours);
    }

    [Fact]
    public void A_300_alert_digest_stays_within_every_discord_limit_and_says_how_many_more_with_the_list()
    {
        var message = Samples.Digest(300, omitted: 50);

        var json = JsonDocument.Parse(DiscordReceiver.Payload(message, Samples.Now).ToJsonString()).RootElement;

        Assert.Equal("300 issues need attention, 1 resolved, 50 more not shown", json.GetProperty("content").GetString());
        var embeds = json.GetProperty("embeds").EnumerateArray().ToList();
        Assert.InRange(embeds.Count, 2, DiscordReceiver.MaxEmbeds);
        Assert.True(json.GetProperty("content").GetString()!.Length <= DiscordReceiver.MaxContent);
        var total = 0;
        foreach (var embed in embeds)
        {
            var title = embed.GetProperty("title").GetString()!;
            var description = embed.GetProperty("description").GetString()!;
            Assert.True(title.Length <= DiscordReceiver.MaxTitle);
            Assert.True(description.Length <= DiscordReceiver.MaxDescription);
            Assert.False(embed.TryGetProperty("fields", out var fields) && fields.GetArrayLength() > 25);
            total += title.Length + description.Length;
        }

        Assert.True(total <= DiscordReceiver.MaxTotal, $"{total} characters over all embeds");
        var last = embeds[^1];
        var shown = embeds.Count - 1;
        Assert.Equal($"…and {301 - shown + 50} more", last.GetProperty("title").GetString());
        Assert.StartsWith("[Full list](https://vigil.example/checks?status=down)\n🔴 job-", last.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_429_honours_the_larger_of_retry_after_in_the_body_and_the_reset_after_header()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(429,
            """{"message": "You are being rate limited.", "retry_after": 2.5, "global": false}""",
            Headers: new Dictionary<string, string> { ["X-RateLimit-Reset-After"] = "3.25", ["X-RateLimit-Remaining"] = "0", ["Retry-After"] = "3" }));

        var result = await Receiver(api.BaseUrl).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.Equal(TimeSpan.FromSeconds(3.25), result.RetryAfter);
        Assert.Equal("discord receiver 'dc': the webhook answered 429 Too Many Requests (You are being rate limited.); retry after 3s250ms", result.Error);
    }

    [Fact]
    public async Task A_body_retry_after_alone_is_honoured()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(429, """{"message": "You are being rate limited.", "retry_after": 0.529, "global": true}"""));

        var result = await Receiver(api.BaseUrl).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(0.529), result.RetryAfter);
    }

    [Fact]
    public async Task Server_error_hang_and_refused_connection_fail_without_the_webhook_url()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(503, """{"message": "Service Unavailable", "code": 0}"""));
        var unavailable = await Receiver(api.BaseUrl).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);
        Assert.Equal("discord receiver 'dc': the webhook answered 503 Service Unavailable (Service Unavailable)", unavailable.Error);

        api.Responder = (_, _) => Reply.HangForever;
        var hang = await Receiver(api.BaseUrl, 1).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);
        Assert.Equal("discord receiver 'dc': no answer within 1s (timed out)", hang.Error);

        var refused = await Receiver(Clients.Closed()).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);
        Assert.StartsWith("discord receiver 'dc': connection refused", refused.Error, StringComparison.Ordinal);

        foreach (var result in new[] { unavailable, hang, refused })
        {
            Assert.False(result.Delivered);
            Assert.DoesNotContain("Secret_WebhookToken", result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("1234567890123456789", result.Error, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Secret", new DiscordOptions(api.BaseUrl + WebhookPath).ToString(), StringComparison.Ordinal);
    }
}
