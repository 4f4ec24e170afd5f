using Microsoft.AspNetCore.Http.Features;
using Vigil.Domain.Breakers;
using Vigil.Domain.Commands;
using Vigil.Domain.Security;
using Vigil.Server.Engine;
using Vigil.Server.Security;

namespace Vigil.Server.Http;

/// <summary>
/// Shared circuit breakers. Reads, and a permit that changes nothing (closed, disabled, forced open, open while
/// its cooldown runs), are answered from the read model without entering the writer; a permit that hands out a
/// probe, every report and every force go through the writer and are durable before they are answered.
/// </summary>
internal static class BreakerEndpoints
{
    /// <summary>The longest error text a report keeps.</summary>
    public const int MaxErrorLength = 1000;

    internal sealed record PermitBody(string? Holder);

    internal sealed record ReportBody(string? Outcome, string? ProbeToken, string? Error);

    internal sealed record ForceBody(string? State, string? Reason);

    public static void MapBreakers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/breakers").WithTags("Breakers");
        group.MapGet("/", List).RequireScope(Scope.Read);
        group.MapGet("/{name}", Get).RequireScope(Scope.Read).RequireCheckName();
        group.MapPost("/{name}/permit", PermitAsync).RequireScope(Scope.Ping).RequireCheckName().Accepts<PermitBody>("application/json");
        group.MapPost("/{name}/report", ReportAsync).RequireScope(Scope.Ping).RequireCheckName().Accepts<ReportBody>("application/json");
        group.MapPost("/{name}/force", ForceAsync).RequireScope(Scope.Write).RequireCheckName().Accepts<ForceBody>("application/json");
    }

    private static IResult List(ReadModel readModel, TimeProvider time)
    {
        var now = time.GetUtcNow();
        return Results.Json(new { breakers = readModel.Breakers().Select(b => BreakerViews.Breaker(b, now)) }, ApiJson.Options);
    }

    private static IResult Get(string name, ReadModel readModel, TimeProvider time) =>
        readModel.Breaker(name) is { } b
            ? Results.Json(BreakerViews.Breaker(b, time.GetUtcNow()), ApiJson.Options)
            : NotFound(name);

    private static async Task<IResult> PermitAsync(HttpContext ctx, string name, ReadModel readModel, EvaluatorLoop loop, TimeProvider time)
    {
        PermitBody? body = new(null);
        if (HasBody(ctx))
        {
            (body, var problem) = await JsonBody.ReadAsync<PermitBody>(ctx.Request).ConfigureAwait(false);
            if (problem is not null) return problem;
        }

        if (body!.Holder is { Length: > 200 }) return Problems.Validation("holder", "must be at most 200 characters");
        if (body.Holder is { } h && string.IsNullOrWhiteSpace(h)) return Problems.Validation("holder", "must not be blank; leave it out to use the key's name");

        if (readModel.Breaker(name) is not { } snapshot)
        {
            return NotFound(name);
        }

        // A permit that changes nothing is a read. Only a half-open breaker (or one whose cooldown has just ended
        // and that the loop has not yet moved) hands out probe permits, which the writer must record.
        var now = time.GetUtcNow();
        var s = snapshot.State;
        PermitResult? answer = s.Status switch
        {
            BreakerStatus.Closed or BreakerStatus.Disabled => new PermitResult(true, true, s.Status),
            BreakerStatus.ForcedOpen => new PermitResult(true, false, s.Status),
            BreakerStatus.Open when s.CooldownUntil > now => new PermitResult(true, false, s.Status, RetryAfter: s.CooldownUntil - now),
            _ => null,
        };
        answer ??= await loop.SubmitAsync(new BreakerPermitCommand(name, body.Holder ?? DefaultHolder(ctx))).ConfigureAwait(false);
        if (!answer.Found)
        {
            return NotFound(name);
        }

        return answer.Allowed
            ? Results.Json(new Dictionary<string, object?>
            {
                ["allowed"] = true,
                ["state"] = answer.Status.Text(),
                ["probe_token"] = answer.Probe?.Token,
                ["probe_expires_at"] = answer.Probe?.ExpiresAt,
            }, ApiJson.Options)
            : Results.Json(new Dictionary<string, object?>
            {
                ["allowed"] = false,
                ["state"] = answer.Status.Text(),
                ["retry_after_s"] = BreakerViews.Seconds(answer.RetryAfter),
            }, ApiJson.Options);
    }

    private static async Task<IResult> ReportAsync(HttpContext ctx, string name, EvaluatorLoop loop)
    {
        var (body, problem) = await JsonBody.ReadAsync<ReportBody>(ctx.Request).ConfigureAwait(false);
        if (problem is not null) return problem;

        var errors = new RequestErrors();
        var outcome = BreakerOutcome.Success;
        switch (body!.Outcome)
        {
            case "success": outcome = BreakerOutcome.Success; break;
            case "failure": outcome = BreakerOutcome.Failure; break;
            case null: errors.Add("outcome", "is required: success or failure"); break;
            default: errors.Add("outcome", $"'{Fields.Truncate(body.Outcome)}' is not an outcome: use success or failure"); break;
        }

        if (body.ProbeToken is { } token && (token.Length == 0 || token.Length > 200)) errors.Add("probe_token", "must be the probe_token a permit returned");
        if (errors.Any) return errors.ToProblem();

        var error = body.Error is { Length: > MaxErrorLength } e ? e[..MaxErrorLength] : body.Error;
        var result = await loop.SubmitAsync(new BreakerReportCommand(name, outcome, body.ProbeToken, error)).ConfigureAwait(false);
        return result.Status switch
        {
            ReportStatus.Recorded => Results.Json(new { recorded = true, state = result.State.Text() }, ApiJson.Options),
            ReportStatus.ProbeGone => Results.Problem(
                type: "https://vigil.dev/problems/probe-gone", title: "The probe permit is gone", statusCode: StatusCodes.Status410Gone,
                detail: $"no probe permit with this token is out on breaker '{name}' (it expired, was already reported, or the breaker moved on); this report changed nothing",
                extensions: new Dictionary<string, object?> { ["state"] = result.State.Text() }),
            _ => NotFound(name),
        };
    }

    private static async Task<IResult> ForceAsync(HttpContext ctx, string name, EvaluatorLoop loop, ReadModel readModel, TimeProvider time)
    {
        var (body, problem) = await JsonBody.ReadAsync<ForceBody>(ctx.Request).ConfigureAwait(false);
        if (problem is not null) return problem;

        var errors = new RequestErrors();
        if (body!.State is null) errors.Add("state", "is required: open, closed, disabled or auto");
        else if (!BreakerText.TryParseForce(body.State, out _)) errors.Add("state", $"'{Fields.Truncate(body.State)}' is not a state to force: use open, closed, disabled or auto");
        var reason = Reason(body.Reason, errors);
        if (errors.Any) return errors.ToProblem();

        BreakerText.TryParseForce(body.State, out var force);
        var result = await loop.SubmitAsync(new ForceBreakerCommand(name, force, reason!, ScopeFilter.KeyName(ctx))).ConfigureAwait(false);
        if (!result.Found || readModel.Breaker(name) is not { } after)
        {
            return NotFound(name);
        }

        var view = BreakerViews.Breaker(after, time.GetUtcNow());
        view["previous_state"] = result.Before.Text();
        return Results.Json(view, ApiJson.Options);
    }

    /// <summary>A reason for an audited action: required, at most 500 characters.</summary>
    public static string? Reason(string? reason, RequestErrors errors)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            errors.Add("reason", "is required: say why, it is recorded in the audit log");
            return null;
        }

        if (reason.Length > 500)
        {
            errors.Add("reason", "must be at most 500 characters");
            return null;
        }

        return reason.Trim();
    }

    private static bool HasBody(HttpContext ctx) =>
        ctx.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? ctx.Request.ContentLength > 0;

    private static string DefaultHolder(HttpContext ctx) => $"{ScopeFilter.KeyName(ctx)}@{ctx.Connection.RemoteIpAddress}";

    private static IResult NotFound(string name) => Problems.NotFound($"no breaker named '{name}'; breakers are declared in vigil.yaml under breakers:");
}
