using System.Text.Json;
using System.Text.Json.Serialization;
using Vigil.Domain.Time;

namespace Vigil.Server.Http;

/// <summary>The API's JSON: snake_case, unknown fields refused, every instant written as UTC with Z.</summary>
internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.NumberHandling = JsonNumberHandling.Strict;
        options.RespectNullableAnnotations = true;
        options.Converters.Add(new UtcInstantConverter());
        return options;
    }

    private sealed class UtcInstantConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Number)
            {
                return Timestamps.TryFromEpoch(reader.GetDouble(), out var fromEpoch, out var epochError) ? fromEpoch : throw new JsonException(epochError);
            }

            var text = reader.GetString();
            return Timestamps.TryParse(text, out var value, out var error) ? value : throw new JsonException(error);
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Timestamps.Format(value));
    }
}
