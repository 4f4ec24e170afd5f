using Vigil.Domain.Checks;
using Vigil.Domain.Persistence;
using Vigil.Domain.Security;
using Vigil.Server.Engine;
using Vigil.Server.Security;

namespace Vigil.Server.Http;

/// <summary>Liveness, readiness and overall health.</summary>
internal static class OperationsEndpoints
{
    internal sealed record Component(string Kind, string Name, string Level, string Reason);

    public static void MapOperations(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok")).WithTags("Operations");
        app.MapGet("/readyz", ReadyAsync).WithTags("Operations");
        app.MapGet("/api/v1/health", HealthAsync).RequireScope(Scope.Read).WithTags("Operations");
        app.MapGet("/", () => Results.Content(
            "<!doctype html><html><head><meta charset=utf-8><title>Vigil</title></head><body><h1>Vigil</h1>" +
            "<p>The dashboard arrives in a later version. Meanwhile: <code>vigil status</code>, " +
            "<a href=\"/openapi/v1.json\">the API</a>, <a href=\"/readyz\">readiness</a>.</p></body></html>", "text/html; charset=utf-8"))
            .ExcludeFromDescription();
    }

    private static async Task<IResult> ReadyAsync(EvaluatorLoop loop, IVigilStore store, TimeProvider time, HttpContext ctx)
    {
        if (!loop.Running)
        {
            return Results.Text("not ready: the evaluator is not running", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (loop.Fault is { } fault)
        {
            return Results.Text("not ready: " + fault, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (time.GetUtcNow() - loop.LastWatched > EvaluatorLoop.BlindSpanThreshold)
        {
            return Results.Text("not ready: the evaluator loop is stalled", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        try
        {
            await store.PingAsync(ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Results.Text($"not ready: the store does not answer ({ex.Message})", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return Results.Text("ready");
    }

    private static async Task<IResult> HealthAsync(EvaluatorLoop loop, IVigilStore store, TimeProvider time, HttpContext ctx)
    {
        var components = await loop.ExecuteAsync(e => e.Checks
            .Where(c => c.State.Level != Level.Ok)
            .OrderBy(c => c.Definition.Name, StringComparer.Ordinal)
            .Select(c => new Component("check", c.Definition.Name, c.State.Level.Text(),
                string.Join("; ", c.State.Alerts.Where(a => a.Value.Firing).Select(a => $"{a.Key}: {a.Value.Reason}"))))
            .ToList()).ConfigureAwait(false);

        components.Insert(0, new Component("vigil", "evaluator", loop.Fault is null ? "ok" : "critical", loop.Fault ?? "running"));
        var (pending, oldest, _) = await store.GetOutboxStatsAsync(ctx.RequestAborted).ConfigureAwait(false);
        var backlog = oldest is { } o ? time.GetUtcNow() - o : TimeSpan.Zero;
        var outboxLevel = backlog > TimeSpan.FromMinutes(10) ? "warning" : "ok";
        components.Insert(1, new Component("vigil", "outbox", outboxLevel,
            pending == 0 ? "nothing pending" : $"{pending} notification(s) pending, oldest {Math.Round(backlog.TotalSeconds)}s"));
        var level = components.Any(c => c.Level == "critical") ? "critical" : components.Any(c => c.Level == "warning") ? "warning" : "ok";
        return Results.Json(new { level, mode = (string?)null, components }, ApiJson.Options);
    }
}
