using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Vigil.Domain.Notifications;

namespace Vigil.Receivers;

public sealed record WebhookOptions(string Url, string? Secret, string? PublicUrl = null);

/// <summary>POSTs Vigil's JSON with an <c>Idempotency-Key</c> and, when a secret is set, an HMAC-SHA256 signature
/// of the exact body in <c>X-Vigil-Signature: sha256=&lt;hex&gt;</c>.</summary>
public sealed class WebhookReceiver(string name, WebhookOptions options, HttpClient http, TimeProvider time) : IReceiver
{
    public const string SignatureHeader = "X-Vigil-Signature";

    public string Name { get; } = name;

    public async Task<DeliveryResult> DeliverAsync(OutboxEntry entry, CancellationToken ct)
    {
        var body = NotificationPayload.Serialize(entry.Notification, options.PublicUrl);
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", entry.IdempotencyKey);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("vigil", "1.0"));
        if (!string.IsNullOrEmpty(options.Secret))
        {
            request.Headers.Add(SignatureHeader, "sha256=" + Sign(options.Secret, body));
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return DeliveryResult.Ok;
            }

            return DeliveryResult.Failed($"{options.Url} answered {(int)response.StatusCode} {response.ReasonPhrase}", RetryAfter(response));
        }
        catch (HttpRequestException ex)
        {
            return DeliveryResult.Failed($"{options.Url}: {ex.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return DeliveryResult.Failed($"{options.Url}: timed out");
        }
    }

    public static string Sign(string secret, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.TooManyRequests && response.StatusCode != HttpStatusCode.ServiceUnavailable)
        {
            return null;
        }

        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return response.Headers.TryGetValues("Retry-After", out var values)
               && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;
    }
}
