using System.Text.Json;
using System.Text.RegularExpressions;

namespace Vigil.Server.Http;

/// <summary>Reads a JSON request body and turns every way it can be wrong into a problem that names the field.</summary>
internal static partial class JsonBody
{
    [GeneratedRegex("The JSON property '(?<name>[^']*)' could not be mapped")]
    private static partial Regex UnknownMember();

    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request)
        where T : class
    {
        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            && !type.Contains("+json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Results.Problem(type: "https://vigil.dev/problems/unsupported-media-type", title: "Unsupported media type",
                statusCode: StatusCodes.Status415UnsupportedMediaType, detail: $"send the body as application/json, not {type}"));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, ApiJson.Options, request.HttpContext.RequestAborted).ConfigureAwait(false);
            return value is null
                ? (null, Problems.Validation("$", "the body must be a JSON object"))
                : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, Problems.Validation(FieldOf(ex), Describe(ex)));
        }
    }

    private static string FieldOf(JsonException ex)
    {
        if (ex.Message is { } message && UnknownMember().Match(message) is { Success: true } m)
        {
            return m.Groups["name"].Value;
        }

        var path = ex.Path ?? "$";
        return path == "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
    }

    private static string Describe(JsonException ex)
    {
        var message = ex.Message ?? "";
        if (UnknownMember().IsMatch(message))
        {
            return "is not a known field";
        }

        if (message.Contains("could not be converted to", StringComparison.Ordinal))
        {
            if (message.Contains("System.String", StringComparison.Ordinal)) return "must be a string";
            if (message.Contains("System.Int", StringComparison.Ordinal)) return "must be an integer";
            if (message.Contains("System.Double", StringComparison.Ordinal)) return "must be a number";
            if (message.Contains("System.Boolean", StringComparison.Ordinal)) return "must be true or false";
            if (message.Contains("List", StringComparison.Ordinal) || message.Contains("[]", StringComparison.Ordinal)) return "must be a list";
            return "has the wrong type";
        }

        if (message.Contains("missing required properties", StringComparison.Ordinal))
        {
            return "a required field is missing: " + message;
        }

        if (ex.InnerException is null && ex.Path is null)
        {
            return "is not valid JSON: " + message;
        }

        // Messages we raise ourselves (timestamps, epochs) are already sentences for people.
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
