using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Vigil.Domain.Time;
using Vigil.Receivers.Http;

namespace Vigil.Receivers;

public enum WebhookFormat { Vigil, Alertmanager }

/// <summary>A generic webhook. <see cref="Secret"/> signs the body; <see cref="Headers"/> values often carry
/// credentials, so neither is ever shown.</summary>
public sealed record WebhookOptions(string Url, string? Secret) : ReceiverOptions
{
    public override string Kind => "webhook";

    public WebhookFormat Format { get; init; } = WebhookFormat.Vigil;

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Null: the HTTP client's own timeout.</summary>
    public TimeSpan? Timeout { get; init; }

    public bool Equals(WebhookOptions? other) =>
        other is not null && Url == other.Url && Secret == other.Secret && Format == other.Format && Timeout == other.Timeout
        && Headers.Count == other.Headers.Count && Headers.All(h => other.Headers.TryGetValue(h.Key, out var v) && v == h.Value);

    public override int GetHashCode() => HashCode.Combine(Url, Secret, Format, Timeout, Headers.Count);

    public override string ToString() => $"webhook ({Format.ToString().ToLowerInvariant()})";
}

/// <summary>
/// POSTs JSON with an <c>Idempotency-Key</c> and, when a secret is set, an HMAC-SHA256 signature of the exact body in
/// <c>X-Vigil-Signature: sha256=&lt;hex&gt;</c>. Format <c>vigil</c>: a single notification is today's object,
/// unchanged; several are an envelope <c>{"idempotency_key", "receiver", "group_key", "omitted", "list_url",
/// "notifications": [ … ]}</c> of those objects. Format <c>alertmanager</c>: <see cref="AlertmanagerPayload"/>.
/// </summary>
public sealed class WebhookReceiver : IReceiver
{
    public const string SignatureHeader = "X-Vigil-Signature";

    private readonly WebhookOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly Redactor _redactor;
    private readonly string _where;

    public WebhookReceiver(string name, WebhookOptions options, HttpClient http, TimeProvider time)
    {
        Name = name;
        _options = options;
        _http = http;
        _time = time;
        _redactor = new Redactor([.. Redactor.UrlSecrets(options.Url), options.Secret, .. options.Headers.Values]);
        // Errors name the endpoint by scheme, host and port only: a URL's path or query may carry a token.
        _where = Uri.TryCreate(options.Url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : "the webhook";
    }

    public string Name { get; }

    /// <summary>The body for <paramref name="message"/> in this receiver's format.</summary>
    public string Body(OutgoingMessage message) => _options.Format == WebhookFormat.Alertmanager
        ? AlertmanagerPayload.ToJson(message).ToJsonString()
        : VigilBody(message);

    public async Task<DeliveryResult> DeliverAsync(OutgoingMessage message, CancellationToken ct)
    {
        var body = Body(message);
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        foreach (var (header, value) in _options.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(header, value))
            {
                request.Content.Headers.TryAddWithoutValidation(header, value);
            }
        }

        request.Headers.Remove("Idempotency-Key");
        request.Headers.Add("Idempotency-Key", message.IdempotencyKey);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("vigil", "1.0"));
        if (!string.IsNullOrEmpty(_options.Secret))
        {
            request.Headers.Add(SignatureHeader, "sha256=" + Sign(_options.Secret, body));
        }

        var (answer, failure) = await HttpSend.SendAsync(_http, request, _options.Timeout, _redactor, ct).ConfigureAwait(false);
        if (answer is null)
        {
            return DeliveryResult.Failed($"webhook receiver '{Name}': POST to {_where}: {failure}");
        }

        if (answer.IsSuccess)
        {
            return DeliveryResult.Ok;
        }

        var hint = answer.Status is 429 or 503 ? RetryHint.FromRetryAfter(answer.Headers, _time) : null;
        var what = $"webhook receiver '{Name}': {_where} answered {answer.StatusText}";
        return DeliveryResult.Failed(hint is { } wait ? $"{what}; retry after {Durations.Format(wait)}" : what, hint);
    }

    public static string Sign(string secret, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    private static string VigilBody(OutgoingMessage message)
    {
        if (message.Notifications.Count == 1 && message.Omitted == 0 && message.GroupKey is null)
        {
            // Byte for byte what a single notification has always been.
            return NotificationPayload.Serialize(message.Notifications[0], message.PublicUrl);
        }

        return Envelope(message).ToJsonString();
    }

    /// <summary>Several notifications in one body; also what the file receiver would write if it wrote envelopes.</summary>
    public static JsonObject Envelope(OutgoingMessage message) => new()
    {
        ["idempotency_key"] = message.IdempotencyKey,
        ["receiver"] = message.Receiver,
        ["group_key"] = message.GroupKey,
        ["omitted"] = message.Omitted,
        ["list_url"] = message.ListUrl,
        ["notifications"] = new JsonArray([.. message.Notifications.Select(n => (JsonNode)NotificationPayload.ToJson(n, message.PublicUrl))]),
    };
}
