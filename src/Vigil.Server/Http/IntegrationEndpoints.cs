using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vigil.Domain.Commands;
using Vigil.Domain.Intake;
using Vigil.Domain.Security;
using Vigil.Domain.Time;
using Vigil.Server.Engine;
using Vigil.Server.Integrations;
using Vigil.Server.Security;

namespace Vigil.Server.Http;

/// <summary>
/// Alerts from elsewhere: <c>POST /api/v1/integrations/alertmanager</c> takes Alertmanager's webhook payload (version
/// 4) and feeds each alert through the writer loop, so it meets the same routes, silences and outbox as Vigil's own.
/// Idempotent: an alert state (fingerprint, status, startsAt) or an <c>Idempotency-Key</c> seen before makes nothing
/// new; the same key with another payload is a 409.
/// </summary>
internal static class IntegrationEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const int MaxIdempotencyKeyLength = 255;

    /// <summary>The largest payload read. The value is 10 MiB.</summary>
    public const int MaxBodyBytes = 10 << 20;

    /// <summary>How long Alertmanager is asked to wait when the intake is full of held-back alerts.</summary>
    private static readonly TimeSpan FullRetryAfter = TimeSpan.FromMinutes(1);

    public static void MapIntegrations(this IEndpointRouteBuilder app)
    {
        var write = app.MapGroup("/api/v1/integrations").RequireScope(Scope.Write).WithTags("Integrations");
        write.MapPost("/alertmanager", AlertmanagerAsync).Accepts<JsonElement>("application/json");
    }

    private static async Task<IResult> AlertmanagerAsync(HttpContext ctx, EvaluatorLoop loop, ILoggerFactory logs)
    {
        var request = ctx.Request;
        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            && !type.Contains("+json", StringComparison.OrdinalIgnoreCase))
        {
            return Results.Problem(type: "https://vigil.dev/problems/unsupported-media-type", title: "Unsupported media type",
                statusCode: StatusCodes.Status415UnsupportedMediaType, detail: $"send Alertmanager's webhook payload as application/json, not {type}");
        }

        var body = await ReadBodyAsync(request).ConfigureAwait(false);
        if (body is null)
        {
            return Results.Problem(type: "https://vigil.dev/problems/too-large", title: "Payload too large", statusCode: StatusCodes.Status413PayloadTooLarge,
                detail: $"the payload is larger than {MaxBodyBytes >> 20} MiB; set max_alerts in Alertmanager's webhook_configs");
        }

        var errors = new RequestErrors();
        var idempotencyKey = IdempotencyKey(request, errors);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            errors.Add("$", $"is not valid JSON: {ex.Message}");
            return errors.ToProblem();
        }

        AlertmanagerWebhook.Delivery? delivery;
        using (document)
        {
            delivery = AlertmanagerWebhook.Read(document.RootElement, errors);
        }

        if (errors.Any || delivery is null)
        {
            return errors.ToProblem();
        }

        var digest = idempotencyKey is null ? null : Sha256(body);
        var result = await loop.SubmitAsync(new IngestAlertsCommand(delivery.Alerts, idempotencyKey, digest)).ConfigureAwait(false);
        var log = logs.CreateLogger(typeof(AlertmanagerWebhook).FullName!);
        switch (result.Outcome)
        {
            case IngestOutcome.Conflict:
                Log.IntakeConflict(log, Timestamps.Format(result.FirstSeen!.Value));
                return Problems.Conflict(
                    $"{IdempotencyKeyHeader}: this key came with a different payload at {Timestamps.Format(result.FirstSeen!.Value)}; nothing was done. " +
                    "A retry sends the same payload; a new payload needs a new key",
                    new Dictionary<string, object?> { ["field"] = IdempotencyKeyHeader, ["first_seen"] = Timestamps.Format(result.FirstSeen!.Value) });
            case IngestOutcome.Full:
                throw new ServiceUnavailableException(
                    "Vigil holds as many Alertmanager alerts back for silences as it may keep; nothing was accepted, retry once a silence ends", FullRetryAfter);
        }

        Log.AlertsReceived(log, delivery.Alerts.Count, delivery.Receiver ?? "?", result.Accepted, result.Deduplicated, result.HeldBack);
        return Results.Json(new
        {
            received = delivery.Alerts.Count,
            accepted = result.Accepted,
            deduplicated = result.Deduplicated,
            held_back = result.HeldBack,
            replayed = result.Outcome == IngestOutcome.Replayed,
            truncated_alerts = delivery.TruncatedAlerts,
        }, ApiJson.Options);
    }

    /// <summary>The intake's key for the request's Idempotency-Key (a hash, so any key is a short, safe row key).</summary>
    private static string? IdempotencyKey(HttpRequest request, RequestErrors errors)
    {
        var values = request.Headers[IdempotencyKeyHeader];
        if (values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            errors.Add(IdempotencyKeyHeader, "was sent more than once");
            return null;
        }

        var key = values[0] ?? "";
        if (key.Length is 0 or > MaxIdempotencyKeyLength || key.Any(c => c < ' ' || c > '~'))
        {
            errors.Add(IdempotencyKeyHeader, $"must be 1 to {MaxIdempotencyKeyLength} printable ASCII characters");
            return null;
        }

        return "idempotency:" + Sha256(Encoding.UTF8.GetBytes(key));
    }

    /// <summary>The whole body, or null when it is larger than <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
