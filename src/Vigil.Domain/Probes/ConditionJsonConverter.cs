using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vigil.Domain.Probes;

/// <summary>A condition is stored as the text an operator would write (<c>"age &gt; 10m"</c>), so a stored
/// check definition reads like the config file.</summary>
public sealed class ConditionJsonConverter : JsonConverter<Condition>
{
    public override Condition Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString() ?? throw new JsonException("a condition must be a string such as \"age > 10m\"");
        return ConditionParser.TryParse(text, out var condition, out var error) ? condition : throw new JsonException(error.Message);
    }

    public override void Write(Utf8JsonWriter writer, Condition value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.ToString());
    }
}
