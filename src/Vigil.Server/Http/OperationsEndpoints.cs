using Vigil.Domain.Breakers;
using Vigil.Domain.Checks;
using Vigil.Domain.Persistence;
using Vigil.Domain.Security;
using Vigil.Server.Engine;
using Vigil.Server.Security;

namespace Vigil.Server.Http;

/// <summary>Liveness, readiness and overall health. None of them enters the writer loop.</summary>
internal static class OperationsEndpoints
{
    /// <summary>At most this many checks are listed by name in health; the counts cover all of them.</summary>
    public const int MaxListedChecks = 1000;

    /// <summary><see cref="Figures"/>: the numbers behind the reason, for programs (the probe scheduler's lag).</summary>
    internal sealed record Component(string Kind, string Name, string Level, string Reason, IReadOnlyDictionary<string, double>? Figures = null);

    public static void MapOperations(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", Live).WithTags("Operations");
        app.MapGet("/readyz", ReadyAsync).WithTags("Operations");
        app.MapGet("/api/v1/health", HealthAsync).RequireScope(Scope.Read).WithTags("Operations");
        app.MapGet("/", () => Results.Content(
            "<!doctype html><html><head><meta charset=utf-8><title>Vigil</title></head><body><h1>Vigil</h1>" +
            "<p>The dashboard arrives in a later version. Meanwhile: <code>vigil status</code>, " +
            "<a href=\"/openapi/v1.json\">the API</a>, <a href=\"/readyz\">readiness</a>.</p></body></html>", "text/html; charset=utf-8"))
            .ExcludeFromDescription();
    }

    /// <summary>200 while the process can do its job; a dead writer loop is not life, whatever the process says.</summary>
    private static IResult Live(EvaluatorLoop loop) =>
        loop.Running
            ? Results.Text("ok")
            : Results.Text("not alive: the writer loop is not running" + (loop.Fault is { } fault ? $" ({fault})" : ""), statusCode: StatusCodes.Status503ServiceUnavailable);

    private static async Task<IResult> ReadyAsync(EvaluatorLoop loop, IVigilStore store, TimeProvider time, HttpContext ctx)
    {
        if (!loop.Running)
        {
            return Results.Text("not ready: the evaluator is not running" + (loop.Fault is { } f ? $" ({f})" : ""), statusCode: StatusCodes.Status503ServiceUnavailable);
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

    /// <summary>Breakers that are not closed and gates that are closed, each with why.</summary>
    private static IEnumerable<Component> PolicyComponents(ReadModel readModel)
    {
        foreach (var breaker in readModel.Breakers().Where(b => b.Level != Level.Ok))
        {
            var s = breaker.State;
            var why = s.Status switch
            {
                BreakerStatus.ForcedOpen or BreakerStatus.Disabled => $"{s.Status.Text()} by {s.ForcedBy}: {s.ForcedReason}",
                BreakerStatus.HalfOpen => $"half_open: probing ({s.Probes.Count} probe(s) out)" + (s.AlertReason is { } r ? $"; {r}" : ""),
                _ => $"{s.Status.Text()}" + (s.AlertReason is { } r ? $": {r}" : ""),
            };
            yield return new Component("breaker", breaker.Name, breaker.Level.Text(), why);
        }

        foreach (var gate in readModel.Gates().Where(g => !g.Open))
        {
            yield return new Component("gate", gate.Name, "warning", "closed: " + string.Join("; ", gate.Reasons.Select(r => $"{r.Kind} {r.Name}: {r.Detail}")));
        }
    }


    private static async Task<IResult> HealthAsync(EvaluatorLoop loop, ReadModel readModel, IVigilStore store, TimeProvider time, ProbeScheduler probes,
        Delivery.OutboxDispatcher dispatcher, HttpContext ctx)
    {
        var now = time.GetUtcNow();
        var components = new List<Component>
        {
            new("vigil", "evaluator", loop.Fault is null && loop.Running ? "ok" : "critical",
                loop.Fault ?? (loop.Running ? $"running, {loop.QueueLength} command(s) waiting" : "not running")),
        };

        // The store answers the outbox's figures: a store that cannot is a critical component, not a 500.
        try
        {
            var (pending, oldest, _) = await store.GetOutboxStatsAsync(ctx.RequestAborted).ConfigureAwait(false);
            var backlog = oldest is { } o ? now - o : TimeSpan.Zero;
            components.Add(new Component("vigil", "store", "ok", store.Describe()));
            components.Add(new Component("vigil", "outbox", backlog > TimeSpan.FromMinutes(10) ? "warning" : "ok",
                pending == 0 ? "nothing pending" : $"{pending} notification(s) pending, oldest {Math.Round(backlog.TotalSeconds)}s"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            components.Add(new Component("vigil", "store", "critical", $"{store.Describe()} does not answer: {ex.Message}"));
        }

        var failing = dispatcher.Receivers.Where(r => r.Failing is not null).ToList();
        components.Add(new Component("vigil", "receivers", failing.Count == 0 ? "ok" : "warning",
            failing.Count == 0 ? "delivering" : string.Join("; ", failing.Select(r =>
                $"{r.Receiver} failing since {Domain.Time.Timestamps.Format(r.Failing!.Value.Since)}: {r.Failing.Value.Error}"))));
        var (probeLevel, probeReason, probeFigures) = probes.Health(now);
        components.Add(new Component("vigil", "probe scheduler", probeLevel.Text(), probeReason, probeFigures));
        foreach (var (obligation, fault) in readModel.Faults.TakeLast(20))
        {
            components.Add(new Component("vigil", "deadline", "critical", $"{obligation}: {fault}"));
        }

        var notOk = readModel.NotOk();
        foreach (var check in notOk.Take(MaxListedChecks))
        {
            var reason = check.Fault ?? string.Join("; ", check.State.Alerts.Where(a => a.Value.Firing).Select(a => $"{a.Key}: {a.Value.Reason}"));
            components.Add(new Component("check", check.Name, check.Level.Text(), reason));
        }

        if (notOk.Count > MaxListedChecks)
        {
            components.Add(new Component("vigil", "checks", "warning", $"and {notOk.Count - MaxListedChecks} more checks not ok (GET /api/v1/checks?level=critical lists them)"));
        }

        components.AddRange(PolicyComponents(readModel));

        var (ok, warning, critical) = readModel.Counts;
        var level = components.Any(c => c.Level == "critical") ? "critical" : components.Any(c => c.Level == "warning") ? "warning" : "ok";
        return Results.Json(new { level, mode = readModel.Mode?.Mode, counts = new { ok, warning, critical }, components }, ApiJson.Options);
    }
}
