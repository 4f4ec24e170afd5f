namespace Vigil.Receivers.Tests;

/// <summary>The Bot API's sendMessage against a real HTTP fake speaking its wire format.</summary>
public sealed class TelegramReceiverTests
{
    private const string Token = "123456789:AAH-very-secret-bot-token_x";
    private const string Ok = """{"ok":true,"result":{"message_id":42,"date":1772442420,"chat":{"id":-1001234567890,"type":"supergroup"},"text":"x"}}""";

    private static TelegramReceiver Receiver(FakeApi api, long? thread = null, TelegramProgress? progress = null, double timeoutSeconds = 5) =>
        new("tg", new TelegramOptions(Token, "-1001234567890") { ApiUrl = new Uri(api.BaseUrl), MessageThreadId = thread },
            Clients.Http(timeoutSeconds), Samples.Clock(), progress);

    [Fact]
    public async Task SendMessage_posts_chat_thread_escaped_html_parse_mode_and_no_link_preview()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(200, Ok));
        var hostile = Samples.Down() with { Description = "<script>x</script> & co" };

        var result = await Receiver(api, thread: 77).DeliverAsync(Samples.Single(hostile), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var request = Assert.Single(api.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/bot{Token}/sendMessage", request.Path);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        var json = request.Json;
        Assert.Equal("-1001234567890", json.GetProperty("chat_id").GetString());
        Assert.Equal(77, json.GetProperty("message_thread_id").GetInt64());
        Assert.Equal("HTML", json.GetProperty("parse_mode").GetString());
        Assert.True(json.GetProperty("disable_web_page_preview").GetBoolean());
        var text = json.GetProperty("text").GetString()!;
        Assert.StartsWith("🔴 <b>DOWN: nightly-backup</b>\n", text, StringComparison.Ordinal);
        Assert.Contains("<b>Issue:</b> &lt;script&gt;x&lt;/script&gt; &amp; co", text, StringComparison.Ordinal);
        Assert.Contains("<b>Action:</b> <a href=\"https://wiki.example/runbooks/backup\">https://wiki.example/runbooks/backup</a>", text, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://vigil.example/checks/nightly-backup\">Open in Vigil</a>", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_thread_the_key_is_absent()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(200, Ok));

        await Receiver(api).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);

        Assert.False(Assert.Single(api.Requests).Json.TryGetProperty("message_thread_id", out _));
    }

    [Fact]
    public async Task A_long_digest_is_sent_as_several_messages_in_order_each_within_4096_characters()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(200, Ok));

        var result = await Receiver(api).DeliverAsync(Samples.Digest(300), CancellationToken.None);

        Assert.True(result.Delivered, result.Error);
        var texts = api.Requests.Select(r => r.Json.GetProperty("text").GetString()!).ToList();
        Assert.True(texts.Count > 1);
        Assert.All(texts, t => Assert.True(t.Length <= TelegramReceiver.MaxMessageLength, $"{t.Length} characters"));
        Assert.StartsWith("<b>300 issues need attention, 1 resolved</b>", texts[0], StringComparison.Ordinal);
        var all = string.Join("\n", texts);
        var positions = Enumerable.Range(0, 300).Select(i => all.IndexOf($"DOWN: job-{i:D3}<", StringComparison.Ordinal)).ToList();
        Assert.All(positions, p => Assert.True(p >= 0));
        Assert.Equal(positions.Order(), positions);
    }

    [Fact]
    public async Task A_retry_after_a_failed_later_part_does_not_resend_the_parts_already_accepted()
    {
        var failSecond = true;
        await using var api = await FakeApi.StartAsync((_, n) => n == 2 && failSecond
            ? new Reply(502, """{"ok":false,"error_code":502,"description":"Bad Gateway"}""")
            : new Reply(200, Ok));
        var progress = new TelegramProgress();
        var message = Samples.Digest(60);

        var first = await Receiver(api, progress: progress).DeliverAsync(message, CancellationToken.None);

        Assert.False(first.Delivered);
        Assert.Contains("telegram receiver 'tg': the Bot API answered 502: Bad Gateway (part 2 of ", first.Error, StringComparison.Ordinal);
        Assert.Contains("1 already sent", first.Error, StringComparison.Ordinal);
        var sentFirst = api.Requests.Select(r => r.Json.GetProperty("text").GetString()).ToList();
        Assert.Equal(2, sentFirst.Count);

        // A later attempt, by a receiver rebuilt on reload that shares the progress, at a later time.
        failSecond = false;
        var clock = Samples.Clock();
        clock.Advance(TimeSpan.FromMinutes(3));
        var again = new TelegramReceiver("tg", new TelegramOptions(Token, "-1001234567890") { ApiUrl = new Uri(api.BaseUrl) }, Clients.Http(), clock, progress);
        var second = await again.DeliverAsync(message, CancellationToken.None);

        Assert.True(second.Delivered, second.Error);
        var texts = api.Requests.Select(r => r.Json.GetProperty("text").GetString()).ToList();
        Assert.Equal(sentFirst[0], texts[0]);
        Assert.Equal(sentFirst[1], texts[2]);
        Assert.Single(texts, t => t == sentFirst[0]);
        Assert.Equal(0, progress.Count);
    }

    [Fact]
    public async Task A_partly_sent_message_on_one_receiver_does_not_make_another_skip_parts()
    {
        // The same notification goes to two Telegram receivers with the same idempotency key; chat 1 fails at part 2.
        await using var api = await FakeApi.StartAsync((r, n) => n == 2 ? new Reply(500, """{"ok":false,"error_code":500,"description":"Internal"}""") : new Reply(200, Ok));
        var progress = new TelegramProgress();
        var message = Samples.Digest(60);
        var first = new TelegramReceiver("tg-a", new TelegramOptions(Token, "1") { ApiUrl = new Uri(api.BaseUrl) }, Clients.Http(), Samples.Clock(), progress);
        var second = new TelegramReceiver("tg-b", new TelegramOptions(Token, "2") { ApiUrl = new Uri(api.BaseUrl) }, Clients.Http(), Samples.Clock(), progress);

        Assert.False((await first.DeliverAsync(message, CancellationToken.None)).Delivered);
        Assert.True((await second.DeliverAsync(message, CancellationToken.None)).Delivered);

        var toSecond = api.Requests.Where(r => r.Json.GetProperty("chat_id").GetString() == "2").Select(r => r.Json.GetProperty("text").GetString()!).ToList();
        Assert.StartsWith("<b>60 issues need attention, 1 resolved</b>", toSecond[0], StringComparison.Ordinal);
        Assert.Contains("DOWN: job-059<", toSecond[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_429_gives_parameters_retry_after_as_the_retry_hint()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(429,
            """{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"""));

        var result = await Receiver(api).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);

        Assert.False(result.Delivered);
        Assert.Equal(TimeSpan.FromSeconds(7), result.RetryAfter);
        Assert.Equal("telegram receiver 'tg': the Bot API answered 429: Too Many Requests: retry after 7; retry after 7s", result.Error);
    }

    [Fact]
    public async Task A_400_names_the_api_description()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(400, """{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"""));

        var result = await Receiver(api).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);

        Assert.Equal("telegram receiver 'tg': the Bot API answered 400: Bad Request: chat not found", result.Error);
        Assert.Null(result.RetryAfter);
    }

    [Fact]
    public async Task Server_error_hang_and_refused_connection_fail_with_a_sentence_that_never_shows_the_token()
    {
        await using var api = await FakeApi.StartAsync((_, _) => new Reply(500, "oops", "text/plain"));
        var fiveHundred = await Receiver(api).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);
        Assert.Equal("telegram receiver 'tg': the Bot API answered 500 Internal Server Error", fiveHundred.Error);

        api.Responder = (_, _) => Reply.HangForever;
        var hang = await Receiver(api, timeoutSeconds: 1).DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);
        Assert.Equal("telegram receiver 'tg': no answer within 1s (timed out)", hang.Error);

        var closed = new TelegramReceiver("tg", new TelegramOptions(Token, "1") { ApiUrl = new Uri(Clients.Closed()) }, Clients.Http(), Samples.Clock());
        var refused = await closed.DeliverAsync(Samples.Single(Samples.Down()), CancellationToken.None);
        Assert.StartsWith("telegram receiver 'tg': connection refused", refused.Error, StringComparison.Ordinal);

        foreach (var result in new[] { fiveHundred, hang, refused })
        {
            Assert.False(result.Delivered);
            Assert.DoesNotContain("secret", result.Error, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("123456789", result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Options_never_show_the_token()
    {
        var options = new TelegramOptions(Token, "-100");

        Assert.DoesNotContain("AAH-very-secret", options.ToString(), StringComparison.Ordinal);
    }
}
