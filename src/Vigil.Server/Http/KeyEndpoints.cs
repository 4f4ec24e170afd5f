using Vigil.Domain.Checks;
using Vigil.Domain.Commands;
using Vigil.Domain.Security;
using Vigil.Server.Engine;
using Vigil.Server.Security;

namespace Vigil.Server.Http;

/// <summary>API keys: shown once at creation, stored hashed, revocable.</summary>
internal static class KeyEndpoints
{
    internal sealed record CreateKeyBody(string? Name, string? Scope);

    public static void MapKeys(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/keys").RequireScope(Scope.Admin).WithTags("Keys");
        group.MapGet("/", (ApiKeyRegistry keys) => Results.Json(new
        {
            keys = keys.All.Select(k => new { name = k.Name, scope = ScopeFilter.Text(k.Scope), created_at = k.CreatedAt, from_config = k.FromConfig }),
        }, ApiJson.Options));
        group.MapPost("/", CreateAsync).Accepts<CreateKeyBody>("application/json");
        group.MapDelete("/{name}", RevokeAsync);
    }

    private static async Task<IResult> CreateAsync(HttpContext ctx, ApiKeyRegistry keys, EvaluatorLoop loop, TimeProvider time)
    {
        var (body, problem) = await JsonBody.ReadAsync<CreateKeyBody>(ctx.Request).ConfigureAwait(false);
        if (problem is not null) return problem;

        var errors = new RequestErrors();
        if (!CheckName.IsValid(body!.Name)) errors.Add("name", "must be 1 to 63 characters of a-z, 0-9, '.', '_' or '-'");
        if (!Enum.TryParse<Scope>(body.Scope, ignoreCase: true, out var scope) || body.Scope != body.Scope?.ToLowerInvariant() || int.TryParse(body.Scope, out _))
        {
            errors.Add("scope", "must be one of ping, read, write, admin");
        }

        if (errors.Any) return errors.ToProblem();
        if (keys.All.Any(k => k.Name == body.Name))
        {
            return Problems.Conflict($"a key named '{body.Name}' exists; revoke it first");
        }

        var secret = ApiKeyRegistry.NewKey();
        var key = new ApiKey { Name = body.Name!, Scope = scope, Sha256 = ApiKeyRegistry.Hash(secret), CreatedAt = time.GetUtcNow() };
        // Through the writer, so the key and its audit entry are committed in one transaction.
        await loop.SubmitAsync(new CreateKeyCommand(key, ScopeFilter.KeyName(ctx))).ConfigureAwait(false);
        keys.Set(key);
        return Results.Json(new { name = key.Name, scope = ScopeFilter.Text(scope), key = secret, created_at = key.CreatedAt }, ApiJson.Options,
            statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> RevokeAsync(HttpContext ctx, string name, ApiKeyRegistry keys, EvaluatorLoop loop)
    {
        if (keys.All.FirstOrDefault(k => k.Name == name) is not { } key)
        {
            return Problems.NotFound($"no key named '{Fields.Truncate(name)}'");
        }

        if (key.FromConfig)
        {
            return Problems.Conflict($"the key '{name}' is declared in the config file; remove it there");
        }

        await loop.SubmitAsync(new RevokeKeyCommand(name, ScopeFilter.KeyName(ctx))).ConfigureAwait(false);
        keys.Revoke(name);
        return Results.NoContent();
    }
}
