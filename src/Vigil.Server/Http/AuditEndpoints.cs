using Vigil.Domain.Persistence;
using Vigil.Domain.Security;
using Vigil.Server.Security;

namespace Vigil.Server.Http;

/// <summary>The audit log: who did what (admin). Read straight from the store, newest first.</summary>
internal static class AuditEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static void MapAudit(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/audit", GetAsync).RequireScope(Scope.Admin).WithTags("Audit");

    private static async Task<IResult> GetAsync(HttpContext ctx, IVigilStore store)
    {
        var errors = new RequestErrors();
        var limit = DefaultLimit;
        var query = ctx.Request.Query;
        if (query.TryGetValue("limit", out var limitText))
        {
            if (!int.TryParse(limitText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit)
            {
                errors.Add("limit", $"must be a whole number from 1 to {MaxLimit}");
            }
        }

        DateTimeOffset? since = null;
        if (query.TryGetValue("since", out var sinceText))
        {
            var element = System.Text.Json.JsonSerializer.SerializeToElement(sinceText.ToString());
            if (double.TryParse(sinceText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var epoch))
            {
                element = System.Text.Json.JsonSerializer.SerializeToElement(epoch);
            }

            since = Fields.Instant(element, "since", errors);
        }

        if (errors.Any) return errors.ToProblem();

        var entries = await store.GetAuditAsync(limit, since, ctx.RequestAborted).ConfigureAwait(false);
        return Results.Json(new
        {
            entries = entries.Select(e => new { at = e.At, key = e.Key, action = e.Action, target = e.Target, reason = e.Reason }),
        }, ApiJson.Options);
    }
}
