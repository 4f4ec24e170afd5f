namespace Vigil.Server.Http;

/// <summary>RFC 9457 problem responses. Every client mistake is a 4xx that names what is wrong.</summary>
internal static class Problems
{
    private const string Base = "https://vigil.dev/problems/";

    public static IResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static IResult Validation(IDictionary<string, string[]> errors) =>
        Results.Problem(
            type: Base + "validation",
            title: "The request is not valid",
            statusCode: StatusCodes.Status400BadRequest,
            detail: string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")),
            extensions: new Dictionary<string, object?> { ["errors"] = errors });

    public static IResult NotFound(string detail) =>
        Results.Problem(type: Base + "not-found", title: "Not found", statusCode: StatusCodes.Status404NotFound, detail: detail);

    public static IResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(type: Base + "conflict", title: "Conflict", statusCode: StatusCodes.Status409Conflict, detail: detail, extensions: extensions);

    public static IResult Gone(string detail) =>
        Results.Problem(type: Base + "lease-lost", title: "The lease is gone", statusCode: StatusCodes.Status410Gone, detail: detail);

    public static IResult Unauthorized(string detail) =>
        Results.Problem(type: Base + "unauthorized", title: "Unauthorized", statusCode: StatusCodes.Status401Unauthorized, detail: detail);

    public static IResult Forbidden(string detail) =>
        Results.Problem(type: Base + "forbidden", title: "Forbidden", statusCode: StatusCodes.Status403Forbidden, detail: detail);

    public static IResult Unavailable(string detail) =>
        Results.Problem(type: Base + "unavailable", title: "Vigil cannot serve this right now", statusCode: StatusCodes.Status503ServiceUnavailable, detail: detail);
}
