using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Receivers.Http;
using Vigil.Receivers.Text;

namespace Vigil.Receivers;

/// <summary>A Telegram bot posting to one chat (and optionally one forum topic).</summary>
public sealed record TelegramOptions(string Token, string ChatId) : ReceiverOptions
{
    public static readonly Uri DefaultApiUrl = new("https://api.telegram.org");

    public override string Kind => "telegram";

    /// <summary>The Bot API's base; a self-hosted Bot API server or a test fake. The default value is https://api.telegram.org.</summary>
    public Uri ApiUrl { get; init; } = DefaultApiUrl;

    /// <summary>The forum topic of a supergroup, when alerts go to one topic.</summary>
    public long? MessageThreadId { get; init; }

    public override string ToString() => $"telegram chat {ChatId}";
}

/// <summary>
/// Sends through the Bot API's <c>sendMessage</c> in HTML parse mode. A message longer than Telegram's limit is
/// split into valid HTML parts, sent in order; when a later part fails, the retry resumes after the parts already
/// accepted (<see cref="TelegramProgress"/>). A 429's <c>parameters.retry_after</c> becomes the retry hint.
/// </summary>
public sealed class TelegramReceiver : IReceiver
{
    /// <summary>Telegram's limit for a message's text.</summary>
    public const int MaxMessageLength = 4096;

    private readonly TelegramOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly TelegramProgress _progress;
    private readonly Redactor _redactor;
    private readonly Uri _sendMessage;

    public TelegramReceiver(string name, TelegramOptions options, HttpClient http, TimeProvider time, TelegramProgress? progress = null)
    {
        Name = name;
        _options = options;
        _http = http;
        _time = time;
        _progress = progress ?? new TelegramProgress();
        _redactor = new Redactor([options.Token, Uri.EscapeDataString(options.Token)]);
        _sendMessage = new Uri($"{options.ApiUrl.ToString().TrimEnd('/')}/bot{options.Token}/sendMessage");
    }

    public string Name { get; }

    public async Task<DeliveryResult> DeliverAsync(OutgoingMessage message, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        // Per receiver: one notification sent to two Telegram receivers carries the same idempotency key.
        var key = Name + "\n" + message.IdempotencyKey;
        var (parts, sent) = _progress.Begin(key, () => HtmlSplitter.Pack(MessageText.HtmlSections(message, now), MaxMessageLength));
        for (var i = sent; i < parts.Count; i++)
        {
            var failure = await SendPartAsync(parts[i], ct).ConfigureAwait(false);
            if (failure is not null)
            {
                var which = parts.Count > 1 ? $" (part {i + 1} of {parts.Count}; {i} already sent)" : "";
                return failure with { Error = $"telegram receiver '{Name}': {failure.Error}{which}" };
            }

            _progress.Accepted(key, i + 1);
        }

        _progress.Done(key);
        return DeliveryResult.Ok;
    }

    /// <summary>The JSON body of one <c>sendMessage</c> call.</summary>
    internal string Body(string html)
    {
        var body = new JsonObject
        {
            ["chat_id"] = _options.ChatId,
        };
        if (_options.MessageThreadId is { } thread)
        {
            body["message_thread_id"] = thread;
        }

        body["text"] = html;
        body["parse_mode"] = "HTML";
        body["disable_web_page_preview"] = true;
        return body.ToJsonString();
    }

    private async Task<DeliveryResult?> SendPartAsync(string html, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _sendMessage)
        {
            Content = new StringContent(Body(html), Encoding.UTF8, "application/json"),
        };
        var (answer, failure) = await HttpSend.SendAsync(_http, request, null, _redactor, ct).ConfigureAwait(false);
        if (answer is null)
        {
            return DeliveryResult.Failed(failure!);
        }

        var (ok, code, description, retryAfter, migrateTo) = Parse(answer.Body);
        if (answer.IsSuccess && ok != false)
        {
            return null;
        }

        var hint = answer.Status == 429 || code == 429
            ? RetryHint.Longest(retryAfter, RetryHint.FromRetryAfter(answer.Headers, _time)) ?? TimeSpan.FromSeconds(1)
            : (TimeSpan?)null;
        var what = description is { Length: > 0 } ? $"the Bot API answered {answer.Status}: {_redactor.Redact(Shorten(description))}" : $"the Bot API answered {answer.StatusText}";
        if (migrateTo is { } chat)
        {
            what += $"; the group became supergroup {chat}: set chat_id to it";
        }

        if (hint is { } wait)
        {
            what += $"; retry after {Vigil.Domain.Time.Durations.Format(wait)}";
        }

        return DeliveryResult.Failed(what, hint);
    }

    private static (bool? Ok, int? Code, string? Description, TimeSpan? RetryAfter, string? MigrateTo) Parse(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null, null, null, null);
            }

            bool? ok = root.TryGetProperty("ok", out var okValue) && okValue.ValueKind is JsonValueKind.True or JsonValueKind.False ? okValue.GetBoolean() : null;
            int? code = root.TryGetProperty("error_code", out var c) && c.TryGetInt32(out var ci) ? ci : null;
            var description = root.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            TimeSpan? retry = null;
            string? migrate = null;
            if (root.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object)
            {
                if (p.TryGetProperty("retry_after", out var r) && r.TryGetDouble(out var seconds))
                {
                    retry = RetryHint.Seconds(seconds.ToString(CultureInfo.InvariantCulture));
                }

                if (p.TryGetProperty("migrate_to_chat_id", out var m) && m.TryGetInt64(out var id))
                {
                    migrate = id.ToString(CultureInfo.InvariantCulture);
                }
            }

            return (ok, code, description, retry, migrate);
        }
        catch (JsonException)
        {
            return (null, null, null, null, null);
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
