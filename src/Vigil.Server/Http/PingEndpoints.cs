using System.Buffers;
using System.Globalization;
using System.Text;
using Vigil.Domain.Commands;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Security;
using Vigil.Server.Engine;
using Vigil.Server.Security;

namespace Vigil.Server.Http;

/// <summary>The Healthchecks-compatible ping API: same routes, methods, status codes and bodies. Parse the URL,
/// check the key (slug routes), find the check in the read model, rate-limit it, then one command to the loop.</summary>
internal static class PingEndpoints
{
    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT"];

    public static void MapPings(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/ping/{first}", Methods, (HttpContext ctx, string first) => HandleAsync(ctx, first, null, null)).ExcludeFromDescription();
        app.MapMethods("/ping/{first}/{second}", Methods, (HttpContext ctx, string first, string second) => HandleAsync(ctx, first, second, null)).ExcludeFromDescription();
        app.MapMethods("/ping/{first}/{second}/{third}", Methods, (HttpContext ctx, string first, string second, string third) => HandleAsync(ctx, first, second, third)).ExcludeFromDescription();
    }

    private static async Task<IResult> HandleAsync(HttpContext ctx, string first, string? second, string? third)
    {
        var services = ctx.RequestServices;
        var settings = services.GetRequiredService<ServerSettings>().Ping;
        ctx.Response.Headers["Ping-Body-Limit"] = settings.BodyLimit.ToString(CultureInfo.InvariantCulture);

        var (request, answer) = PingRequest.Parse(first, second, third, ctx.Request.Query);
        if (request is null)
        {
            return answer ?? NotFound(settings);
        }

        if (request.Key is { } key && services.GetRequiredService<ApiKeyRegistry>().Find(key) is not { Scope: >= Scope.Ping })
        {
            return NotFound(settings);
        }

        // Only a known check (or one about to be created) gets a rate-limit bucket: random UUIDs cannot grow the table.
        var readModel = services.GetRequiredService<ReadModel>();
        var known = request.Uuid is { } uuid ? readModel.Find(uuid) : readModel.Find(request.Slug!);
        if (known is null && !request.Create)
        {
            return NotFound(settings);
        }

        if (!services.GetRequiredService<PingRateLimiter>().TryAcquire(known?.Name ?? request.Slug!))
        {
            return settings.Always200 ? PingRequest.Text(StatusCodes.Status200OK, "OK (rate limited)") : PingRequest.Text(StatusCodes.Status429TooManyRequests, "rate limited");
        }

        var (body, truncated) = await ReadBodyAsync(ctx.Request, settings.BodyLimit).ConfigureAwait(false);
        var signal = new PingSignal
        {
            Uuid = request.Uuid,
            Name = request.Slug,
            Kind = request.Kind,
            ExitStatus = request.ExitStatus,
            Rid = request.Rid,
            Body = body,
            BodyTruncated = truncated,
            DataTs = request.DataTs,
            ReportedAt = request.ReportedAt,
            CreateWith = request.Create ? settings.AutoCreate : null,
        };
        var outcome = await services.GetRequiredService<EvaluatorLoop>().SubmitAsync(new PingCommand(signal)).ConfigureAwait(false);
        return outcome switch
        {
            PingOutcome.Created => PingRequest.Text(StatusCodes.Status201Created, "Created"),
            PingOutcome.NotFound => NotFound(settings),

            // Vigil measures a probe check itself: a ping is refused (409, a plain-text sentence as every ping answer is),
            // and with always_200 answered like the other refusals.
            PingOutcome.ProbeCheck => settings.Always200
                ? PingRequest.Text(StatusCodes.Status200OK, "OK (not accepted: a probe check)")
                : PingRequest.Text(StatusCodes.Status409Conflict, "not accepted: this is a probe check, which Vigil measures itself; it takes no pings"),
            PingOutcome.LimitReached => PingRequest.Text(StatusCodes.Status403Forbidden,
                $"check limit reached: {settings.AutoCreateLimit} checks were created by pings; create it with PUT /api/v1/checks/{request.Slug} or raise ping.auto_create_limit"),
            _ => PingRequest.Text(StatusCodes.Status200OK, "OK"),
        };
    }

    private static IResult NotFound(PingSettings settings) =>
        settings.Always200 ? PingRequest.Text(StatusCodes.Status200OK, "OK (not found)") : PingRequest.Text(StatusCodes.Status404NotFound, "not found");

    /// <summary>Keeps the first <paramref name="limit"/> bytes as the run's log; the rest is read, dropped, and the cut recorded.</summary>
    internal static async Task<(string? Body, bool Truncated)> ReadBodyAsync(HttpRequest request, int limit)
    {
        if (!HttpMethods.IsPost(request.Method) && !HttpMethods.IsPut(request.Method))
        {
            return (null, false);
        }

        var kept = new ArrayBufferWriter<byte>();
        var truncated = false;
        var chunk = ArrayPool<byte>.Shared.Rent(16384);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk.AsMemory(), request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
            {
                var room = limit - kept.WrittenCount;
                if (room > 0)
                {
                    kept.Write(chunk.AsSpan(0, Math.Min(room, read)));
                }

                truncated |= read > room;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return kept.WrittenCount == 0 && !truncated ? (null, false) : (Encoding.UTF8.GetString(kept.WrittenSpan), truncated);
    }
}
