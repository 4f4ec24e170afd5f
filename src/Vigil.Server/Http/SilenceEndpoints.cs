using System.Text.Json;
using Vigil.Domain.Checks;
using Vigil.Domain.Commands;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;
using Vigil.Domain.Security;
using Vigil.Domain.Time;
using Vigil.Server.Engine;
using Vigil.Server.Security;

namespace Vigil.Server.Http;

/// <summary>Silences: list (with the config's maintenance windows), add, expire.</summary>
internal static class SilenceEndpoints
{
    /// <summary>The longest silence the API makes in one go. The value is 90 days.</summary>
    public static readonly TimeSpan MaxLength = TimeSpan.FromDays(90);

    private static readonly string[] BodyKeys = ["match", "starts_at", "ends_at", "duration", "reason"];
    private static readonly string[] MatchKeys = ["check", "tags", "severity"];

    internal sealed record MatchBody(string? Check, IReadOnlyList<string>? Tags, string? Severity);

    internal sealed record SilenceBody(MatchBody? Match, JsonElement? StartsAt, JsonElement? EndsAt, JsonElement? Duration, string? Reason);

    public static void MapSilences(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/v1/silences").RequireScope(Scope.Read).WithTags("Silences");
        read.MapGet("/", List);
        var write = app.MapGroup("/api/v1/silences").RequireScope(Scope.Write).WithTags("Silences");
        write.MapPost("/", AddAsync).Accepts<SilenceBody>("application/json");
        write.MapDelete("/{id}", ExpireAsync);
    }

    private static IResult List(ReadModel readModel, TimeProvider time)
    {
        var now = time.GetUtcNow();
        return Results.Json(new
        {
            silences = readModel.Silences.Where(s => s.Until > now).Select(s => View(s, now)),
            windows = readModel.MaintenanceWindows.Select(w => new
            {
                match = MatchView(w.Match),
                cron = w.Cron,
                tz = w.Tz,
                duration_s = w.Duration.TotalSeconds,
                reason = w.Reason,
                active_until = w.WindowAt(now)?.End,
                next_end_at = w.NextEndAfter(now),
            }),
        }, ApiJson.Options);
    }

    private static async Task<IResult> AddAsync(HttpContext ctx, EvaluatorLoop loop, TimeProvider time, Entropy entropy)
    {
        var (document, problem) = await JsonBody.ReadObjectAsync(ctx.Request).ConfigureAwait(false);
        if (problem is not null) return problem;

        using var body = document!;
        var errors = new RequestErrors();
        var now = time.GetUtcNow();
        var root = new JsonCheckSettings(body.RootElement, errors, BodyKeys);
        var matcher = AlertMatcher.All;
        if (root.Section("match", MatchKeys) is { } match)
        {
            var check = match.String("check");
            if (check is not null && !CheckPattern.IsValid(check)) errors.Add("match.check", $"'{Fields.Truncate(check)}' is not a check name or a glob such as harvest-*");
            matcher = new AlertMatcher { Check = check, Tags = match.Strings("tags") ?? [], Severity = match.Choice("severity", CheckSettings.Severities) };
        }

        var starts = Fields.Instant(Element(body, "starts_at"), "starts_at", errors) ?? now;
        var ends = Fields.Instant(Element(body, "ends_at"), "ends_at", errors);
        var duration = root.Duration("duration");
        var reason = root.String("reason");
        if (string.IsNullOrWhiteSpace(reason)) errors.Add("reason", "is required: say why alerts are silenced");
        else if (reason.Length > 500) errors.Add("reason", "must be at most 500 characters");
        if (ends is null && duration is null && !errors.Any) errors.Add("duration", "give ends_at or duration");
        if (ends is not null && duration is not null) errors.Add("duration", "give ends_at or duration, not both");
        var end = ends ?? (duration is { } d ? Instants.Add(starts, d) : starts);
        if (!errors.Any && end <= starts) errors.Add(ends is not null ? "ends_at" : "duration", "must end after it starts");
        if (!errors.Any && end <= now) errors.Add(ends is not null ? "ends_at" : "duration", "is already over");
        if (!errors.Any && end - starts > MaxLength) errors.Add(ends is not null ? "ends_at" : "duration", "must be at most 90d; make a new one when it ends");
        if (errors.Any) return errors.ToProblem();

        var silence = new Silence
        {
            Id = entropy.NewId(now),
            Match = matcher,
            StartsAt = starts,
            EndsAt = end,
            Reason = reason!,
            CreatedBy = ScopeFilter.KeyName(ctx),
            CreatedAt = now,
        };
        var result = await loop.SubmitAsync(new AddSilenceCommand(silence)).ConfigureAwait(false);
        return result == SilenceResult.Added
            ? Results.Json(View(silence, now), ApiJson.Options, statusCode: StatusCodes.Status201Created)
            : Problems.Conflict($"{Evaluator.MaxSilences} silences are pending or active; expire some first");
    }

    private static async Task<IResult> ExpireAsync(HttpContext ctx, string id, EvaluatorLoop loop, TimeProvider time)
    {
        var errors = new RequestErrors();
        var silenceId = Fields.Uuid(id, "id", errors);
        if (errors.Any) return errors.ToProblem();
        var expired = await loop.SubmitAsync(new ExpireSilenceCommand(silenceId!.Value, ScopeFilter.KeyName(ctx))).ConfigureAwait(false);
        return expired is null
            ? Problems.NotFound($"no pending or active silence {Fields.Truncate(id)}")
            : Results.Json(View(expired, time.GetUtcNow()), ApiJson.Options);
    }

    private static JsonElement? Element(JsonDocument body, string key) =>
        body.RootElement.TryGetProperty(key, out var value) ? value : null;

    private static object MatchView(AlertMatcher m) => new { check = m.Check, tags = m.Tags, severity = m.Severity?.Text() };

    private static object View(Silence s, DateTimeOffset now) => new
    {
        id = s.Id,
        state = s.State(now),
        match = MatchView(s.Match),
        starts_at = s.StartsAt,
        ends_at = s.EndsAt,
        reason = s.Reason,
        created_by = s.CreatedBy,
        created_at = s.CreatedAt,
        expired_at = s.ExpiredAt,
        expired_by = s.ExpiredBy,
    };
}
