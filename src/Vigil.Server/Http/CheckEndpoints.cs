using Vigil.Domain.Checks;
using Vigil.Domain.Commands;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Persistence;
using Vigil.Domain.Security;
using Vigil.Domain.Time;
using Vigil.Server.Engine;
using Vigil.Server.Security;

namespace Vigil.Server.Http;

/// <summary>Checks, their runs and their history.</summary>
internal static class CheckEndpoints
{
    private const int MaxLimit = 1000;

    public static void MapChecks(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1/checks").RequireScope(Scope.Read).RequireCheckName().WithTags("Checks");
        read.MapGet("/", List);
        read.MapGet("/{name}", Get);
        read.MapGet("/{name}/runs", RunsAsync);
        read.MapGet("/{name}/runs/{rid}", RunAsync);
        read.MapGet("/{name}/runs/{rid}/log", RunLogAsync);
        read.MapGet("/{name}/events", EventsAsync);

        var write = app.MapGroup("/api/v1/checks").RequireScope(Scope.Write).RequireCheckName().WithTags("Checks");
        write.MapPut("/{name}", PutAsync).Accepts<CheckBody>("application/json");
        write.MapDelete("/{name}", DeleteAsync);
        write.MapPost("/{name}/pause", (string name, EvaluatorLoop loop, ReadModel readModel, TimeProvider time) => PauseOrResumeAsync(name, loop, readModel, time, pause: true));
        write.MapPost("/{name}/resume", (string name, EvaluatorLoop loop, ReadModel readModel, TimeProvider time) => PauseOrResumeAsync(name, loop, readModel, time, pause: false));
    }

    /// <summary>The default page size of the list. The value is 500.</summary>
    public const int DefaultPage = 500;

    private static IResult List(HttpRequest request, ReadModel readModel, TimeProvider time)
    {
        var errors = new RequestErrors();
        var tag = request.Query["tag"].ToString();
        CheckStatus? status = null;
        Level? level = null;
        if (request.Query["status"].ToString() is { Length: > 0 } statusText)
        {
            if (EnumText.TryParseStatus(statusText, out var parsed)) status = parsed;
            else errors.Add("status", $"'{Fields.Truncate(statusText)}' is not a status: use new, up, grace, down or paused");
        }

        if (request.Query["level"].ToString() is { Length: > 0 } levelText)
        {
            if (EnumText.TryParseLevel(levelText, out var parsed)) level = parsed;
            else errors.Add("level", $"'{Fields.Truncate(levelText)}' is not a level: use ok, warning or critical");
        }

        var limit = Limit(request, errors, DefaultPage);
        var cursor = request.Query["cursor"].ToString();
        if (cursor.Length > 0 && !CheckName.IsValid(cursor))
        {
            errors.Add("cursor", "is not a cursor this API returned (use next_cursor from the previous page)");
        }

        if (errors.Any) return errors.ToProblem();
        var now = time.GetUtcNow();
        var (page, next) = readModel.List(cursor.Length > 0 ? cursor : null, limit!.Value, c =>
            (tag.Length == 0 || c.Definition.Tags.Contains(tag))
            && (status is null || c.State.Status == status)
            && (level is null || c.Level == level));
        return Results.Json(new { checks = page.Select(c => CheckViews.Summary(c, now)), next_cursor = next }, ApiJson.Options);
    }

    private static IResult Get(string name, ReadModel readModel, TimeProvider time, ProbeQueue probes) =>
        readModel.Find(name) is { } snapshot
            ? Results.Json(CheckViews.Detail(snapshot, time.GetUtcNow(), probes.InFlightDueAt(name)), ApiJson.Options)
            : Problems.NotFound($"no check named '{name}'");

    private static async Task<IResult> PutAsync(HttpContext ctx, string name, EvaluatorLoop loop, ReadModel readModel, ServerSettings settings, TimeProvider time)
    {
        var (body, problem) = await JsonBody.ReadObjectAsync(ctx.Request).ConfigureAwait(false);
        if (problem is not null) return problem;

        using var document = body!;
        var errors = new RequestErrors();
        var definition = CheckBody.ToDefinition(document.RootElement, name, settings.Defaults, errors);
        if (errors.Any) return errors.ToProblem();

        var status = await loop.SubmitAsync(new UpsertCheckCommand(definition)).ConfigureAwait(false);
        return status switch
        {
            UpsertStatus.Created => Results.Json(Detail(name, readModel, time), ApiJson.Options, statusCode: StatusCodes.Status201Created),
            UpsertStatus.Replaced => Results.Json(Detail(name, readModel, time), ApiJson.Options),
            UpsertStatus.ManagedByConfig => Problems.Conflict($"'{name}' is declared in the config file; change it there (only pausing works through the API)"),
            _ => Problems.Conflict($"uuid {definition.Uuid} already belongs to another check"),
        };
    }

    /// <summary>The loop publishes before it answers, so a writer reads its own write here.</summary>
    private static CheckDetail? Detail(string name, ReadModel readModel, TimeProvider time) =>
        readModel.Find(name) is { } snapshot ? CheckViews.Detail(snapshot, time.GetUtcNow()) : null;

    private static async Task<IResult> DeleteAsync(string name, EvaluatorLoop loop)
    {
        var status = await loop.SubmitAsync(new DeleteCheckCommand(name)).ConfigureAwait(false);
        return status switch
        {
            DeleteStatus.Deleted => Results.NoContent(),
            DeleteStatus.ManagedByConfig => Problems.Conflict($"'{name}' is declared in the config file; remove it there"),
            _ => Problems.NotFound($"no check named '{name}'"),
        };
    }

    private static async Task<IResult> PauseOrResumeAsync(string name, EvaluatorLoop loop, ReadModel readModel, TimeProvider time, bool pause)
    {
        var found = await loop.SubmitAsync(new PauseCheckCommand(name, pause, "paused through the API")).ConfigureAwait(false);
        return found && Detail(name, readModel, time) is { } detail
            ? Results.Json(detail, ApiJson.Options)
            : Problems.NotFound($"no check named '{name}'");
    }

    private static int? Limit(HttpRequest request, RequestErrors errors, int fallback)
    {
        var text = request.Query["limit"].ToString();
        if (text.Length == 0) return fallback;
        if (int.TryParse(text, out var limit) && limit is > 0 and <= MaxLimit) return limit;
        errors.Add("limit", $"must be a whole number from 1 to {MaxLimit}");
        return null;
    }

    private static async Task<IResult> RunsAsync(HttpRequest request, string name, ReadModel readModel, IVigilStore store)
    {
        var errors = new RequestErrors();
        var limit = Limit(request, errors, 50);
        if (errors.Any) return errors.ToProblem();
        if (readModel.Find(name) is null) return Problems.NotFound($"no check named '{name}'");
        var runs = await store.GetRunsAsync(name, limit!.Value, request.HttpContext.RequestAborted).ConfigureAwait(false);
        return Results.Json(new { runs = runs.Select(RunJson) }, ApiJson.Options);
    }

    private static object RunJson(RunRecord r) => new
    {
        rid = r.Rid,
        started_at = r.StartedAt,
        ended_at = r.EndedAt,
        outcome = r.Outcome,
        exit_code = r.ExitCode,
        duration_s = r.DurationSeconds,
        holder = r.Holder,
        message = r.Message,
        log_bytes = r.Log?.Length ?? 0,
        log_truncated = r.LogTruncated,
    };

    private static async Task<IResult> RunAsync(HttpRequest request, string name, string rid, IVigilStore store)
    {
        var (run, problem) = await FindRunAsync(request, name, rid, store).ConfigureAwait(false);
        return problem ?? Results.Json(RunJson(run!), ApiJson.Options);
    }

    private static async Task<IResult> RunLogAsync(HttpRequest request, string name, string rid, IVigilStore store)
    {
        var (run, problem) = await FindRunAsync(request, name, rid, store).ConfigureAwait(false);
        return problem ?? Results.Text(run!.Log ?? "", "text/plain; charset=utf-8");
    }

    private static async Task<(RunRecord? Run, IResult? Problem)> FindRunAsync(HttpRequest request, string name, string rid, IVigilStore store)
    {
        var errors = new RequestErrors();
        var id = Fields.Uuid(rid, "rid", errors);
        if (errors.Any) return (null, errors.ToProblem());
        var run = await store.GetRunAsync(name, id!.Value, request.HttpContext.RequestAborted).ConfigureAwait(false);
        return run is null ? (null, Problems.NotFound($"no run {Fields.Truncate(rid)} of '{name}'")) : (run, null);
    }

    private static async Task<IResult> EventsAsync(HttpRequest request, string name, ReadModel readModel, IVigilStore store)
    {
        var errors = new RequestErrors();
        var limit = Limit(request, errors, 100);
        DateTimeOffset? since = null;
        if (request.Query["since"].ToString() is { Length: > 0 } sinceText)
        {
            if (Timestamps.TryParse(sinceText, out var value, out var error)) since = value;
            else errors.Add("since", error!);
        }

        if (errors.Any) return errors.ToProblem();
        if (readModel.Find(name) is null) return Problems.NotFound($"no check named '{name}'");
        var events = await store.GetEventsAsync(name, limit!.Value, since, request.HttpContext.RequestAborted).ConfigureAwait(false);
        return Results.Json(new
        {
            events = events.Select(ev => new
            {
                at = ev.At,
                type = ev.Type,
                reason = ev.Reason,
                rid = ev.Rid,
                data_ts = ev.DataTs,
                exit_status = ev.ExitStatus,
                reported_at = ev.ReportedAt,
                body_bytes = ev.Body?.Length ?? 0,
            }),
        }, ApiJson.Options);
    }
}
