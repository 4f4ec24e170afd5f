using Vigil.Domain.Commands;
using Vigil.Domain.Security;
using Vigil.Server.Engine;
using Vigil.Server.Security;

namespace Vigil.Server.Http;

/// <summary>
/// Gates: 200 when open, 423 Locked when closed (so <c>curl -f</c> fails on a closed gate), each body with
/// <c>open</c>, <c>reasons</c> and <c>kill</c>. Reads come from the read model; only the kill switch enters
/// the writer, audited with the key's name.
/// </summary>
internal static class GateEndpoints
{
    internal sealed record KillBody(string? Reason);

    public static void MapGates(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/gates").WithTags("Gates");
        group.MapGet("/", List).RequireScope(Scope.Ping);
        group.MapGet("/{name}", Get).RequireScope(Scope.Ping).RequireCheckName();
        group.MapPost("/{name}/kill", (HttpContext ctx, string name, EvaluatorLoop loop, ReadModel readModel) => SetAsync(ctx, name, true, loop, readModel))
            .RequireScope(Scope.Admin).RequireCheckName().Accepts<KillBody>("application/json");
        group.MapPost("/{name}/release", (HttpContext ctx, string name, EvaluatorLoop loop, ReadModel readModel) => SetAsync(ctx, name, false, loop, readModel))
            .RequireScope(Scope.Admin).RequireCheckName().Accepts<KillBody>("application/json");
    }

    /// <summary>Every gate; 423 when any is closed, with every reason, so one call can guard on all of them.</summary>
    private static IResult List(ReadModel readModel)
    {
        var gates = readModel.Gates();
        var open = gates.All(g => g.Open);
        return Results.Json(new Dictionary<string, object?>
        {
            ["open"] = open,
            ["reasons"] = gates.SelectMany(g => g.Reasons).Select(BreakerViews.Reason).ToList(),
            ["gates"] = gates.Select(BreakerViews.Gate).ToList(),
        }, ApiJson.Options, statusCode: open ? StatusCodes.Status200OK : StatusCodes.Status423Locked);
    }

    private static IResult Get(string name, ReadModel readModel) =>
        readModel.Gate(name) is { } gate ? Answer(gate) : NotFound(name);

    private static async Task<IResult> SetAsync(HttpContext ctx, string name, bool engage, EvaluatorLoop loop, ReadModel readModel)
    {
        var (body, problem) = await JsonBody.ReadAsync<KillBody>(ctx.Request).ConfigureAwait(false);
        if (problem is not null) return problem;

        var errors = new RequestErrors();
        var reason = BreakerEndpoints.Reason(body!.Reason, errors);
        if (errors.Any) return errors.ToProblem();

        var found = await loop.SubmitAsync(new KillSwitchCommand(name, engage, reason!, ScopeFilter.KeyName(ctx))).ConfigureAwait(false);
        return found && readModel.Gate(name) is { } gate ? Answer(gate) : NotFound(name);
    }

    private static IResult Answer(GateView gate) =>
        Results.Json(BreakerViews.Gate(gate), ApiJson.Options, statusCode: gate.Open ? StatusCodes.Status200OK : StatusCodes.Status423Locked);

    private static IResult NotFound(string name) => Problems.NotFound($"no gate named '{name}'; gates are declared in vigil.yaml under gates:");
}
