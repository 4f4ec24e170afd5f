using Vigil.Domain.Checks;

namespace Vigil.Server.Http;

/// <summary>Refuses a <c>{name}</c> route value that is not a check name, for every route of a group at once.</summary>
internal sealed class CheckNameFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.HttpContext.Request.RouteValues.TryGetValue("name", out var value) && value is string name && !CheckName.IsValid(name))
        {
            return ValueTask.FromResult<object?>(Problems.Validation("name", CheckName.Problem(Fields.Truncate(name))));
        }

        return next(context);
    }
}

internal static class CheckNameFilterExtensions
{
    public static TBuilder RequireCheckName<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(new CheckNameFilter());
}
