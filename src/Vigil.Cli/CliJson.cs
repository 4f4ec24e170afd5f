using System.Text.Json;

namespace Vigil.Cli;

/// <summary>The HTTP API's field names (snake_case), so scripts read the same JSON from the CLI and the API.</summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
