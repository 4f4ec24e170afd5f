using Vigil.Domain.Security;
using Vigil.Server.Delivery;
using Vigil.Server.Security;

namespace Vigil.Server.Http;

/// <summary><c>POST /api/v1/receivers/{name}/test</c>: a test notification through one receiver, and how it went.</summary>
internal static class ReceiverEndpoints
{
    public static void MapReceivers(this IEndpointRouteBuilder app)
    {
        var write = app.MapGroup("/api/v1/receivers").RequireScope(Scope.Write).WithTags("Receivers");
        write.MapPost("/{name}/test", TestAsync);
    }

    private static async Task<IResult> TestAsync(HttpContext ctx, string name, ReceiverTest test, ILoggerFactory logs)
    {
        var outcome = await test.SendAsync(name, ScopeFilter.KeyName(ctx), ctx.RequestAborted).ConfigureAwait(false);
        if (outcome is null)
        {
            return Problems.NotFound($"no receiver named '{Fields.Truncate(name)}' is configured");
        }

        Log.ReceiverTested(logs.CreateLogger(typeof(ReceiverTest).FullName!), outcome.Receiver, outcome.Delivered, outcome.Error ?? "delivered");
        return Results.Json(new
        {
            receiver = outcome.Receiver,
            delivered = outcome.Delivered,
            error = outcome.Error,
            retry_after_s = outcome.RetryAfter is { } after ? (double?)Math.Ceiling(after.TotalSeconds) : null,
            duration_ms = (long)Math.Round(outcome.Duration.TotalMilliseconds),
        }, ApiJson.Options);
    }
}
