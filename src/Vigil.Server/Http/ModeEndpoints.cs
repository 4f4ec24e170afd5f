using Vigil.Domain.Modes;
using Vigil.Domain.Security;
using Vigil.Server.Engine;
using Vigil.Server.Security;

namespace Vigil.Server.Http;

/// <summary>
/// <c>GET /api/v1/mode</c> (read) and <c>PUT /api/v1/mode</c> (admin, with a reason): the switch is one writer command
/// that re-applies the config checks with the new mode's overrides, all or nothing, and persists the choice. A restart
/// keeps it unless VIGIL_MODE forces a mode.
/// </summary>
internal static class ModeEndpoints
{
    private static readonly string[] BodyKeys = ["mode", "reason"];

    public static void MapModes(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/mode", Show).RequireScope(Scope.Read).WithTags("Modes");
        app.MapPut("/api/v1/mode", ChangeAsync).RequireScope(Scope.Admin).WithTags("Modes");
    }

    private static IResult Show(ReadModel readModel) => Results.Json(View(readModel.Mode), ApiJson.Options);

    private static async Task<IResult> ChangeAsync(HttpContext ctx, EvaluatorLoop loop, ReadModel readModel)
    {
        var (document, problem) = await JsonBody.ReadObjectAsync(ctx.Request).ConfigureAwait(false);
        if (problem is not null) return problem;

        using var body = document!;
        var errors = new RequestErrors();
        var reader = new JsonCheckSettings(body.RootElement, errors, BodyKeys);
        var mode = reader.String("mode");
        var reason = reader.String("reason");
        if (string.IsNullOrWhiteSpace(mode)) errors.Add("mode", "is required: the mode to switch to");
        if (string.IsNullOrWhiteSpace(reason)) errors.Add("reason", "is required: say why the mode changes (it is recorded with the change)");
        else if (reason.Length > 500) errors.Add("reason", "must be at most 500 characters");
        if (errors.Any) return errors.ToProblem();

        var declared = readModel.Mode?.Set.Names ?? [];
        if (declared.Count == 0)
        {
            return Problems.Conflict("no modes are declared in vigil.yaml (modes:), so there is no mode to switch to");
        }

        ModeChangeResult result;
        try
        {
            result = await loop.ChangeModeAsync(mode!, reason!.Trim(), ScopeFilter.KeyName(ctx)).ConfigureAwait(false);
        }
        catch (Domain.Evaluation.ConfigConflictException conflict)
        {
            // All or nothing: the checks of that mode cannot apply (say, a uuid an API check holds); nothing changed.
            return Problems.Conflict($"mode '{mode}' cannot be applied, nothing changed: {string.Join("; ", conflict.Problems)}");
        }

        if (result.Status == ModeChangeStatus.NotDeclared)
        {
            return Problems.Validation("mode", $"'{Fields.Truncate(mode!)}' is not a declared mode (declared: {string.Join(", ", declared)})");
        }

        var view = readModel.Mode;
        return Results.Json(new
        {
            mode = result.To,
            previous = result.From,
            changed = result.Status == ModeChangeStatus.Changed,
            modes = view?.Set.Names ?? declared,
            source = view?.Source,
            note = view?.Set.ForcedByEnvironment == true && view.Set.Selected != result.To
                ? $"VIGIL_MODE={view.Set.Selected} is set: it takes effect again when Vigil restarts"
                : null,
        }, ApiJson.Options);
    }

    private static object View(ModeView? view) => new
    {
        mode = view?.Mode,
        modes = view?.Set.Names ?? [],
        source = view?.Source,
        chosen_through_api = view?.Chosen,
        forced_by_environment = view?.Set.ForcedByEnvironment == true,
    };
}
