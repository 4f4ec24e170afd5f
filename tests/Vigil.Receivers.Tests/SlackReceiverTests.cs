using System.Text.Json;

namespace Vigil.Receivers.Tests;

/// <summary>A Slack incoming webhook against a real HTTP fake: text fallback plus section blocks within Slack's limits.</summary>
public sealed class SlackReceiverTests
{
    private const string WebhookPath = "/services/T00000000/B00000000/XXXXsecretXXXXtokenXXXXXXXX";

    private static SlackReceiver Receiver(string baseUrl, double timeoutSeconds = 5) =>
        new("sl", new SlackOptions(baseUrl + WebhookPath), Clients.Http(timeoutSeconds), Samples.Clock());

    [Fact]
    public async Task A_single_alert_is_a_text_fallback_and_one_mrkdwn_section_with_slack_escapes()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(200, "ok", "text/plain"));
        var hostile = Samples.Down() with { Description = "<!channel> wake up & <https://evil.example|click>" };

        var result = await Receiver(api.BaseUrl).DeliverAsync(Samples.Single(hostile), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var request = Assert.Single(api.Requests);
        Assert.Equal(WebhookPath, request.Path);
        var json = request.Json;
        Assert.Equal("🔴 DOWN: nightly-backup", json.GetProperty("text").GetString());
        var block = Assert.Single(json.GetProperty("blocks").EnumerateArray());
        Assert.Equal("section", block.GetProperty("type").GetString());
        Assert.Equal("mrkdwn", block.GetProperty("text").GetProperty("type").GetString());
        var text = block.GetProperty("text").GetProperty("text").GetString()!;
        Assert.StartsWith("🔴 *DOWN: nightly-backup*\n", text, StringComparison.Ordinal);
        Assert.Contains("*Issue:* &lt;!channel&gt; wake up &amp; &lt;https://evil.example|click&gt;", text, StringComparison.Ordinal);
        Assert.Contains("*Action:* <https://wiki.example/runbooks/backup|https://wiki.example/runbooks/backup>", text, StringComparison.Ordinal);
        Assert.EndsWith("<https://vigil.example/checks/nightly-backup|Open in Vigil>", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_300_alert_digest_uses_at_most_50_blocks_of_at_most_3000_characters_and_names_the_rest()
    {
        var json = JsonDocument.Parse(SlackReceiver.Payload(Samples.Digest(300), Samples.Now).ToJsonString()).RootElement;

        var blocks = json.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal(SlackReceiver.MaxBlocks, blocks.Count);
        Assert.All(blocks, b => Assert.True(b.GetProperty("text").GetProperty("text").GetString()!.Length <= SlackReceiver.MaxSectionText));
        Assert.Equal("*300 issues need attention, 1 resolved*", blocks[0].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal("300 issues need attention, 1 resolved", json.GetProperty("text").GetString());
        var last = blocks[^1].GetProperty("text").GetProperty("text").GetString()!;
        // Header + 48 detailed alerts; the other 253 are counted and named as far as 3,000 characters go.
        Assert.StartsWith("*…and 253 more*\n🔴 job-048\n🔴 job-049\n", last, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_429_honours_retry_after()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(429, "rate_limited", "text/plain", new Dictionary<string, string> { ["Retry-After"] = "30" }));

        var result = await Receiver(api.BaseUrl).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.Equal(TimeSpan.FromSeconds(30), result.RetryAfter);
        Assert.Equal("slack receiver 'sl': the webhook answered 429 Too Many Requests (rate_limited); retry after 30s", result.Error);
    }

    [Fact]
    public async Task Errors_hang_and_refused_connection_fail_without_the_webhook_url()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(404, "no_service", "text/plain"));
        var gone = await Receiver(api.BaseUrl).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);
        Assert.Equal("slack receiver 'sl': the webhook answered 404 Not Found (no_service)", gone.Error);

        api.Responder = (_, _) => new Reply(500, "internal_error", "text/plain");
        var broken = await Receiver(api.BaseUrl).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);
        Assert.Equal("slack receiver 'sl': the webhook answered 500 Internal Server Error (internal_error)", broken.Error);

        api.Responder = (_, _) => Reply.HangForever;
        var hang = await Receiver(api.BaseUrl, 1).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);
        Assert.Equal("slack receiver 'sl': no answer within 1s (timed out)", hang.Error);

        var refused = await Receiver(Clients.Closed()).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);
        Assert.StartsWith("slack receiver 'sl': connection refused", refused.Error, StringComparison.Ordinal);

        foreach (var result in new[] { gone, broken, hang, refused })
        {
            Assert.False(result.Delivered);
            Assert.DoesNotContain("secret", result.Error, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("/services/", result.Error, StringComparison.Ordinal);
        }
    }
}
