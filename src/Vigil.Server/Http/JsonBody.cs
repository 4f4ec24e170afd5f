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

    /// <summary>Reads a body that must be a JSON object, checking every name and string is valid UTF-8 up front
    /// (a document defers that until a value is read, which would be too late to answer 400).</summary>
    public static async Task<(JsonDocument? Document, IResult? Problem)> ReadObjectAsync(HttpRequest request)
    {
        var (document, problem) = await ReadAsync<JsonDocument>(request).ConfigureAwait(false);
        if (document is null)
        {
            return (null, problem);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, Problems.Validation("$", "the body must be a JSON object"));
        }

        try
        {
            Walk(document.RootElement);
            return (document, null);
        }
        catch (InvalidOperationException)
        {
            document.Dispose();
            return (null, Problems.Validation("$", "is not valid UTF-8 JSON"));
        }
    }

    private static void Walk(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    Walk(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item);
                }

                break;
            case JsonValueKind.String:
                _ = element.GetString();
                break;
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
