using System.Globalization;
using System.Text;
using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Time;

namespace Vigil.Server.Http;

/// <summary>
/// A ping URL taken apart: <c>/ping/{uuid}[/{suffix}]</c> or <c>/ping/{ping_key}/{slug}[/{suffix}]</c> with
/// <c>rid</c>, <c>data_ts</c>, <c>late_at</c> and <c>create</c>. Parsing only: no key, no check, no state.
/// Answers and their texts are Healthchecks'.
/// </summary>
internal sealed record PingRequest
{
    public Guid? Uuid { get; init; }
    public string? Key { get; init; }
    public string? Slug { get; init; }
    public PingKind Kind { get; init; }
    public int? ExitStatus { get; init; }
    public Guid? Rid { get; init; }
    public DateTimeOffset? DataTs { get; init; }
    public DateTimeOffset? ReportedAt { get; init; }
    public bool Create { get; init; }

    /// <summary>The parsed request, or the answer to give instead (400 or 404 with Healthchecks' text).</summary>
    public static (PingRequest? Request, IResult? Answer) Parse(string first, string? second, string? third, IQueryCollection query)
    {
        PingRequest request;
        string? suffix;
        if (Guid.TryParseExact(first, "D", out var uuid))
        {
            if (third is not null)
            {
                return (null, Text(StatusCodes.Status404NotFound, "not found"));
            }

            request = new PingRequest { Uuid = uuid };
            suffix = second;
        }
        else
        {
            if (second is null)
            {
                return (null, Text(StatusCodes.Status404NotFound, "not found"));
            }

            request = new PingRequest { Key = first, Slug = second };
            suffix = third;
        }

        switch (suffix)
        {
            case null: request = request with { Kind = PingKind.Success }; break;
            case "start": request = request with { Kind = PingKind.Start }; break;
            case "fail": request = request with { Kind = PingKind.Fail }; break;
            case "log": request = request with { Kind = PingKind.Log }; break;
            default:
                if (suffix.Length == 0 || !suffix.All(char.IsAsciiDigit))
                {
                    return (null, Text(StatusCodes.Status404NotFound, "not found"));
                }

                var code = suffix.Length > 3 ? int.MaxValue : int.Parse(suffix, CultureInfo.InvariantCulture);
                if (code > 255)
                {
                    return (null, Text(StatusCodes.Status400BadRequest, "invalid url format"));
                }

                request = request with { ExitStatus = code, Kind = code == 0 ? PingKind.Success : PingKind.Fail };
                break;
        }

        if (query.TryGetValue("rid", out var ridText) && ridText.ToString().Length > 0)
        {
            if (!Guid.TryParse(ridText.ToString(), out var rid))
            {
                return (null, Text(StatusCodes.Status400BadRequest, "invalid uuid format"));
            }

            request = request with { Rid = rid };
        }

        if (query.TryGetValue("data_ts", out var dataTsText))
        {
            if (!Timestamps.TryParse(dataTsText.ToString(), out var value, out var error))
            {
                return (null, Text(StatusCodes.Status400BadRequest, $"invalid data_ts: {error}"));
            }

            request = request with { DataTs = value };
        }

        if (query.TryGetValue("late_at", out var lateText))
        {
            if (!Timestamps.TryParse(lateText.ToString(), out var value, out var error))
            {
                return (null, Text(StatusCodes.Status400BadRequest, $"invalid late_at: {error}"));
            }

            request = request with { ReportedAt = value };
        }

        var create = request.Slug is not null && query.TryGetValue("create", out var createText) && createText == "1";
        if (request.Slug is { } slug && !CheckName.IsValid(slug))
        {
            // An invalid name can name no check: 404 as for any unknown one, unless the caller asked to create it.
            return (null, create ? Text(StatusCodes.Status400BadRequest, "invalid check name: " + CheckName.Problem(Fields.Truncate(slug))) : null);
        }

        return (request with { Create = create }, null);
    }

    public static IResult Text(int status, string text) => Results.Text(text, "text/plain; charset=utf-8", Encoding.UTF8, status);
}
