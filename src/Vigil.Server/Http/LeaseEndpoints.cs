using System.Text.Json;
using Vigil.Domain.Commands;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Security;
using Vigil.Server.Engine;
using Vigil.Server.Security;

namespace Vigil.Server.Http;

/// <summary>Acquire, renew and release: exclusive, expiring claims with fencing tokens.</summary>
internal static class LeaseEndpoints
{
    /// <summary>The longest lease Vigil grants in one go; renew to hold longer.</summary>
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(7);

    internal sealed record AcquireBody(JsonElement? Ttl, string? Holder, string? Rid, JsonElement? DataTs);

    internal sealed record RenewBody(string? Token, JsonElement? Ttl, JsonElement? DataTs);

    internal sealed record ReleaseBody(string? Token, string? Outcome, int? ExitCode, string? Message, string? Log, JsonElement? DataTs);

    public static void MapLeases(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/checks/{name}/lease").RequireScope(Scope.Ping).RequireCheckName().WithTags("Leases");
        group.MapPost("/acquire", AcquireAsync).Accepts<AcquireBody>("application/json");
        group.MapPost("/renew", RenewAsync).Accepts<RenewBody>("application/json");
        group.MapPost("/release", ReleaseAsync).Accepts<ReleaseBody>("application/json");
    }

    private static async Task<IResult> AcquireAsync(HttpContext ctx, string name, EvaluatorLoop loop)
    {
        var (body, problem) = await JsonBody.ReadAsync<AcquireBody>(ctx.Request).ConfigureAwait(false);
        if (problem is not null) return problem;

        var errors = new RequestErrors();
        var ttl = ValidTtl(Fields.Duration(body!.Ttl, "ttl", errors), errors);
        var rid = Fields.Uuid(body.Rid, "rid", errors);
        var dataTs = Fields.Instant(body.DataTs, "data_ts", errors);
        if (string.IsNullOrWhiteSpace(body.Holder)) errors.Add("holder", "is required: say who holds the lease, e.g. host:pid");
        else if (body.Holder.Length > 200) errors.Add("holder", "must be at most 200 characters");
        if (errors.Any) return errors.ToProblem();

        var result = await loop.SubmitAsync(new AcquireLeaseCommand(name, ttl, body.Holder!, rid, dataTs)).ConfigureAwait(false);
        return result.Status switch
        {
            AcquireStatus.Granted => Results.Json(new
            {
                token = result.Grant!.Token,
                fencing_token = result.Grant.FencingToken,
                expires_at = result.Grant.ExpiresAt,
                rid = result.Grant.Rid,
            }, ApiJson.Options, statusCode: StatusCodes.Status201Created),
            AcquireStatus.Held => Problems.Conflict(
                $"the lease of '{name}' is held ({result.Holders!.Count} of its concurrency); try again after the earliest expiry",
                new Dictionary<string, object?>
                {
                    ["holders"] = result.Holders.Select(h => new Dictionary<string, object?>
                    {
                        ["holder"] = h.Holder,
                        ["expires_at"] = Domain.Time.Timestamps.Format(h.ExpiresAt),
                        ["rid"] = h.Rid,
                        ["fencing_token"] = h.FencingToken,
                    }).ToList(),
                }),
            AcquireStatus.NotHeartbeat => Problems.Validation("name", $"'{name}' is a probe check; probe checks take no leases"),
            _ => Problems.NotFound($"no check named '{name}'"),
        };
    }

    private static TimeSpan? ValidTtl(TimeSpan? ttl, RequestErrors errors)
    {
        if (ttl is { } value && (value <= TimeSpan.Zero || value > MaxTtl))
        {
            errors.Add("ttl", "must be longer than 0s and at most 7d");
        }

        return ttl;
    }

    private static async Task<IResult> RenewAsync(HttpContext ctx, string name, EvaluatorLoop loop)
    {
        var (body, problem) = await JsonBody.ReadAsync<RenewBody>(ctx.Request).ConfigureAwait(false);
        if (problem is not null) return problem;

        var errors = new RequestErrors();
        if (string.IsNullOrEmpty(body!.Token)) errors.Add("token", "is required: the token acquire returned");
        var ttl = ValidTtl(Fields.Duration(body.Ttl, "ttl", errors), errors);
        var dataTs = Fields.Instant(body.DataTs, "data_ts", errors);
        if (errors.Any) return errors.ToProblem();

        var result = await loop.SubmitAsync(new RenewLeaseCommand(name, body.Token!, ttl, dataTs)).ConfigureAwait(false);
        return result.Status switch
        {
            LeaseCallStatus.Ok => Results.Json(new { expires_at = result.ExpiresAt }, ApiJson.Options),
            LeaseCallStatus.Gone => Problems.Gone($"the lease of '{name}' expired or was released; stop acting on it and acquire again"),
            _ => Problems.NotFound($"no check named '{name}'"),
        };
    }

    private static async Task<IResult> ReleaseAsync(HttpContext ctx, string name, EvaluatorLoop loop, ServerSettings settings)
    {
        var (body, problem) = await JsonBody.ReadAsync<ReleaseBody>(ctx.Request).ConfigureAwait(false);
        if (problem is not null) return problem;

        var errors = new RequestErrors();
        if (string.IsNullOrEmpty(body!.Token)) errors.Add("token", "is required: the token acquire returned");
        LeaseOutcome outcome = LeaseOutcome.Success;
        switch (body.Outcome)
        {
            case "success": outcome = LeaseOutcome.Success; break;
            case "fail": outcome = LeaseOutcome.Fail; break;
            case null: errors.Add("outcome", "is required: success or fail"); break;
            default: errors.Add("outcome", $"'{Fields.Truncate(body.Outcome)}' is not an outcome: use success or fail"); break;
        }

        if (body.ExitCode is < 0 or > 255) errors.Add("exit_code", "must be between 0 and 255");
        var dataTs = Fields.Instant(body.DataTs, "data_ts", errors);
        if (errors.Any) return errors.ToProblem();

        var limit = settings.Ping.BodyLimit;
        var log = body.Log is { Length: var length } text && length > limit ? text[^limit..] : body.Log;
        var message = body.Message is { Length: > 1000 } m ? m[..1000] : body.Message;
        var status = await loop.SubmitAsync(new ReleaseLeaseCommand(name, body.Token!, outcome, body.ExitCode, message, log, log != body.Log, dataTs)).ConfigureAwait(false);
        return status switch
        {
            LeaseCallStatus.Ok => Results.Json(new { released = true }, ApiJson.Options),
            LeaseCallStatus.Gone => Problems.Gone($"the lease of '{name}' had expired or was released; the outcome was recorded as a late report"),
            _ => Problems.NotFound($"no check named '{name}'"),
        };
    }
}
