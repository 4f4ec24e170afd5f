using System.Text.Json;
using System.Text.Json.Serialization;
using Vigil.Domain.Breakers;
using Vigil.Domain.Checks;
using Vigil.Domain.Gates;
using Vigil.Domain.Notifications;

namespace Vigil.Storage;

/// <summary>
/// The one JSON shape of what the stores keep as documents: check definitions, check states, notifications.
/// Source-generated because a state is serialized for every check a batch touches, on the durable-ping hot path.
/// Shared by every store implementation so a database can be moved between them without converting documents.
/// </summary>
internal static class StoreJson
{
    public static string Serialize(CheckDefinition definition) => JsonSerializer.Serialize(definition, StoreJsonContext.Default.CheckDefinition);

    public static string Serialize(CheckState state) => JsonSerializer.Serialize(state, StoreJsonContext.Default.CheckState);

    public static string Serialize(Notification notification) => JsonSerializer.Serialize(notification, StoreJsonContext.Default.Notification);

    public static string Serialize(Silence silence) => JsonSerializer.Serialize(silence, StoreJsonContext.Default.Silence);

    public static Silence ReadSilence(string json) =>
        JsonSerializer.Deserialize(json, StoreJsonContext.Default.Silence) ?? throw Null(nameof(Silence));

    public static CheckDefinition ReadDefinition(string json) =>
        JsonSerializer.Deserialize(json, StoreJsonContext.Default.CheckDefinition) ?? throw Null(nameof(CheckDefinition));

    public static CheckState ReadState(string json) =>
        JsonSerializer.Deserialize(json, StoreJsonContext.Default.CheckState) ?? throw Null(nameof(CheckState));

    public static Notification ReadNotification(string json) =>
        JsonSerializer.Deserialize(json, StoreJsonContext.Default.Notification) ?? throw Null(nameof(Notification));

    public static string Serialize(BreakerDefinition definition) => JsonSerializer.Serialize(definition, StoreJsonContext.Default.BreakerDefinition);

    public static string Serialize(BreakerState state) => JsonSerializer.Serialize(state, StoreJsonContext.Default.BreakerState);

    public static string Serialize(GateDefinition definition) => JsonSerializer.Serialize(definition, StoreJsonContext.Default.GateDefinition);

    public static string Serialize(GateState state) => JsonSerializer.Serialize(state, StoreJsonContext.Default.GateState);

    public static BreakerDefinition ReadBreakerDefinition(string json) =>
        JsonSerializer.Deserialize(json, StoreJsonContext.Default.BreakerDefinition) ?? throw Null(nameof(BreakerDefinition));

    public static BreakerState ReadBreakerState(string json) =>
        JsonSerializer.Deserialize(json, StoreJsonContext.Default.BreakerState) ?? throw Null(nameof(BreakerState));

    public static GateDefinition ReadGateDefinition(string json) =>
        JsonSerializer.Deserialize(json, StoreJsonContext.Default.GateDefinition) ?? throw Null(nameof(GateDefinition));

    public static GateState ReadGateState(string json) =>
        JsonSerializer.Deserialize(json, StoreJsonContext.Default.GateState) ?? throw Null(nameof(GateState));

    private static JsonException Null(string type) => new($"the stored {type} document is JSON null");
}

/// <summary>
/// Snake-case names so a document reads like the config file; enums as their names so reordering an enum
/// never changes what a stored number means; nulls omitted to keep rows small (every nullable member defaults
/// to null, so omission round-trips); computed read-only members such as <c>CheckState.Level</c> not written.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    IgnoreReadOnlyProperties = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(UtcInstantJsonConverter)])]
[JsonSerializable(typeof(CheckDefinition))]
[JsonSerializable(typeof(CheckState))]
[JsonSerializable(typeof(Notification))]
[JsonSerializable(typeof(Silence))]
[JsonSerializable(typeof(BreakerDefinition))]
[JsonSerializable(typeof(BreakerState))]
[JsonSerializable(typeof(GateDefinition))]
[JsonSerializable(typeof(GateState))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
