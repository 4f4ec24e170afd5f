using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vigil.Storage;

/// <summary>Writes every instant as UTC with <c>Z</c> and reads it back as UTC, whatever offset a caller used:
/// the store never keeps a local offset, as the spec promises for everything Vigil stores.</summary>
internal sealed class UtcInstantJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime);
}
