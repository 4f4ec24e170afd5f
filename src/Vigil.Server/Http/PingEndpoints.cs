using System.Buffers;
using System.Globalization;
using System.Text;
using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Security;
using Vigil.Domain.Time;
using Vigil.Server.Engine;
using Vigil.Server.Security;

namespace Vigil.Server.Http;

/// <summary>The Healthchecks-compatible ping API: same routes, methods, status codes and bodies.</summary>
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
        var settings = ctx.RequestServices.GetRequiredService<ServerSettings>().Ping;
        ctx.Response.Headers["Ping-Body-Limit"] = settings.BodyLimit.ToString(CultureInfo.InvariantCulture);

        // /ping/{uuid}[/{suffix}] or /ping/{ping_key}/{slug}[/{suffix}]
        Guid? uuid = null;
        string? slug = null;
        string? suffix;
        if (Guid.TryParseExact(first, "D", out var parsed))
        {
            if (third is not null)
            {
                return Text(StatusCodes.Status404NotFound, "not found");
            }

            uuid = parsed;
            suffix = second;
        }
        else
        {
            if (second is null)
            {
                return Text(StatusCodes.Status404NotFound, "not found");
            }

            var key = ctx.RequestServices.GetRequiredService<ApiKeyRegistry>().Find(first);
            if (key is null || key.Scope < Scope.Ping)
            {
                return NotFound(settings);
            }

            slug = second;
            suffix = third;
        }

        PingKind kind;
        int? exitStatus = null;
        switch (suffix)
        {
            case null: kind = PingKind.Success; break;
            case "start": kind = PingKind.Start; break;
            case "fail": kind = PingKind.Fail; break;
            case "log": kind = PingKind.Log; break;
            default:
                if (suffix.Length == 0 || !suffix.All(char.IsAsciiDigit))
                {
                    return Text(StatusCodes.Status404NotFound, "not found");
                }

                var code = suffix.Length > 3 ? int.MaxValue : int.Parse(suffix, CultureInfo.InvariantCulture);
                if (code > 255)
                {
                    return Text(StatusCodes.Status400BadRequest, "invalid url format");
                }

                exitStatus = code;
                kind = exitStatus == 0 ? PingKind.Success : PingKind.Fail;
                break;
        }

        var query = ctx.Request.Query;
        Guid? rid = null;
        if (query.TryGetValue("rid", out var ridText) && ridText.ToString().Length > 0)
        {
            if (!Guid.TryParse(ridText.ToString(), out var ridValue))
            {
                return Text(StatusCodes.Status400BadRequest, "invalid uuid format");
            }

            rid = ridValue;
        }

        DateTimeOffset? dataTs = null;
        if (query.TryGetValue("data_ts", out var dataTsText))
        {
            if (!Timestamps.TryParse(dataTsText.ToString(), out var value, out var error))
            {
                return Text(StatusCodes.Status400BadRequest, $"invalid data_ts: {error}");
            }

            dataTs = value;
        }

        DateTimeOffset? reportedAt = null;
        if (query.TryGetValue("late_at", out var lateText))
        {
            if (!Timestamps.TryParse(lateText.ToString(), out var value, out var error))
            {
                return Text(StatusCodes.Status400BadRequest, $"invalid late_at: {error}");
            }

            reportedAt = value;
        }

        var create = slug is not null && query.TryGetValue("create", out var createText) && createText == "1";
        if (slug is not null && !CheckName.IsValid(slug))
        {
            return create ? Text(StatusCodes.Status400BadRequest, "invalid check name: " + CheckName.Problem(Fields.Truncate(slug))) : NotFound(settings);
        }

        var limiter = ctx.RequestServices.GetRequiredService<PingRateLimiter>();
        if (!limiter.TryAcquire(uuid?.ToString() ?? slug!))
        {
            return settings.Always200 ? Text(StatusCodes.Status200OK, "OK (rate limited)") : Text(StatusCodes.Status429TooManyRequests, "rate limited");
        }

        var (body, truncated) = await ReadBodyAsync(ctx.Request, settings.BodyLimit).ConfigureAwait(false);
        var signal = new PingSignal
        {
            Uuid = uuid,
            Name = slug,
            Kind = kind,
            ExitStatus = exitStatus,
            Rid = rid,
            Body = body,
            BodyTruncated = truncated,
            DataTs = dataTs,
            ReportedAt = reportedAt,
            CreateWith = create ? settings.AutoCreate : null,
        };
        var loop = ctx.RequestServices.GetRequiredService<EvaluatorLoop>();
        var outcome = await loop.ExecuteAsync(e => e.Ping(signal)).ConfigureAwait(false);
        return outcome switch
        {
            PingOutcome.Created => Text(StatusCodes.Status201Created, "Created"),
            PingOutcome.NotFound => NotFound(settings),
            _ => Text(StatusCodes.Status200OK, "OK"),
        };
    }

    private static IResult NotFound(PingSettings settings) =>
        settings.Always200 ? Text(StatusCodes.Status200OK, "OK (not found)") : Text(StatusCodes.Status404NotFound, "not found");

    private static IResult Text(int status, string text) => Results.Text(text, "text/plain; charset=utf-8", Encoding.UTF8, status);

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
