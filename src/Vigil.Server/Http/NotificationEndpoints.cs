using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;
using Vigil.Domain.Persistence;
using Vigil.Domain.Security;
using Vigil.Server.Security;

namespace Vigil.Server.Http;

/// <summary>Deliveries: per notification and receiver, how far it got (attempts, last error, delivered_at, and
/// the failover receiver that delivered it when its own kept failing, and the digest it went out in). Read straight from
/// the outbox, off the writer. <c>?digest=KEY</c> lists the alerts of one message, which is where a message that could
/// not list them all links to.</summary>
internal static class NotificationEndpoints
{
    private const int MaxLimit = 1000;
    private const int DefaultLimit = 100;

    public static void MapNotifications(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1/notifications").RequireScope(Scope.Read).WithTags("Notifications");
        read.MapGet("/", ListAsync);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, IVigilStore store)
    {
        var errors = new RequestErrors();
        var check = request.Query["check"].ToString();
        if (check.Length > 0 && !CheckName.IsValid(check))
        {
            errors.Add("check", "is not a check name");
        }

        // A digest's key is what a message that lists only part of its alerts links to: the full list.
        var digest = request.Query["digest"].ToString();
        if (digest.Length > 200)
        {
            errors.Add("digest", "is longer than any digest key (200 characters)");
        }

        var limit = DefaultLimit;
        var limitText = request.Query["limit"].ToString();
        if (limitText.Length > 0 && !(int.TryParse(limitText, out limit) && limit is > 0 and <= MaxLimit))
        {
            errors.Add("limit", $"must be a whole number from 1 to {MaxLimit}");
        }

        if (errors.Any) return errors.ToProblem();
        var rows = await store.GetDeliveriesAsync(check.Length > 0 ? check : null, digest.Length > 0 ? digest : null, limit, request.HttpContext.RequestAborted).ConfigureAwait(false);
        return Results.Json(new { deliveries = rows.Select(View) }, ApiJson.Options);
    }

    private static object View(DeliveryRecord d) => new
    {
        notification_id = d.NotificationId,
        receiver = d.Receiver,
        check = d.Check,
        alert = d.Alert,
        state = d.State,
        status = d.Status,
        attempts = d.Attempts,
        last_error = d.LastError,
        created_at = d.CreatedAt,
        next_attempt_at = d.NextAttemptAt,
        delivered_at = d.DeliveredAt,
        via = d.Via,
        digest = d.Digest,
    };
}
