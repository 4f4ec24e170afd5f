using Vigil.Domain.Security;
using Vigil.Server.Http;

namespace Vigil.Server.Security;

/// <summary>Requires an API key of at least the given scope: <c>Authorization: Bearer &lt;key&gt;</c> (or <c>X-Api-Key</c>).</summary>
internal sealed class ScopeFilter(Scope scope) : IEndpointFilter
{
    public const string KeyItem = "vigil.key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var presented = Presented(http.Request);
        if (presented is null)
        {
            return Problems.Unauthorized("this needs an API key: send Authorization: Bearer <key>");
        }

        var key = http.RequestServices.GetRequiredService<ApiKeyRegistry>().Find(presented);
        if (key is null)
        {
            return Problems.Unauthorized("the API key is unknown or was revoked");
        }

        if (key.Scope < scope)
        {
            return Problems.Forbidden($"the key '{key.Name}' has scope {Text(key.Scope)}; this needs {Text(scope)}");
        }

        http.Items[KeyItem] = key;
        return await next(context).ConfigureAwait(false);
    }

    public static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header["Bearer ".Length..].Trim();
            return token.Length > 0 ? token : null;
        }

        var apiKey = request.Headers["X-Api-Key"].ToString();
        return apiKey.Length > 0 ? apiKey : null;
    }

    public static string Text(Scope scope) => scope.ToString().ToLowerInvariant();

    /// <summary>The name of the key that authorised this request, for the audit log and probe holders.</summary>
    public static string KeyName(HttpContext context) =>
        context.Items.TryGetValue(KeyItem, out var key) && key is ApiKey k ? k.Name : "unknown";
}

internal static class ScopeFilterExtensions
{
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, Scope scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new ScopeFilter(scope));
}
