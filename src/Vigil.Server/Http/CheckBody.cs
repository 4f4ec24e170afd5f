using System.Text.Json;
using Vigil.Domain.Checks;

namespace Vigil.Server.Http;

/// <summary>
/// The body of <c>PUT /api/v1/checks/{name}</c>: the same keys as a check in vigil.yaml, read by the same
/// parser (<see cref="CheckSettings"/>) on top of the configured defaults. This record documents the shape
/// in the OpenAPI document; parsing goes through <see cref="ToDefinition"/>.
/// </summary>
internal sealed record CheckBody
{
    public static readonly string[] Keys = [.. CheckSettings.Keys, "kind", "depends_on"];

    public string? Kind { get; init; }
    public string? Uuid { get; init; }
    public JsonElement? Every { get; init; }
    public string? Cron { get; init; }
    public string? Tz { get; init; }
    public JsonElement? Grace { get; init; }
    public JsonElement? MaxRuntime { get; init; }
    public JsonElement? MinInterval { get; init; }
    public JsonElement? MaxDataAge { get; init; }
    public int? FailAfter { get; init; }
    public int? RecoverAfter { get; init; }
    public FlappingBody? Flapping { get; init; }
    public string? Severity { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public string? Description { get; init; }
    public string? Runbook { get; init; }
    public bool? Paused { get; init; }
    public bool? ManualResume { get; init; }
    public int? Concurrency { get; init; }
    public IReadOnlyList<string>? DependsOn { get; init; }
    public KeywordsBody? Keywords { get; init; }

    internal sealed record FlappingBody(int? Changes, JsonElement? Window);

    internal sealed record KeywordsBody(IReadOnlyList<string>? Success, IReadOnlyList<string>? Failure, IReadOnlyList<string>? Start);

    /// <summary>Maps a JSON object onto the configured defaults; every problem is added to <paramref name="errors"/>.</summary>
    public static CheckDefinition ToDefinition(JsonElement body, string name, CheckDefinition defaults, RequestErrors errors)
    {
        var source = new JsonCheckSettings(body, errors, Keys);
        if (source.String("kind") is { } kind && kind != "heartbeat")
        {
            errors.Add("kind", kind == "probe" ? "probe checks are declared in vigil.yaml (a probe runs what the config file says, never what an API call says)" : $"'{Fields.Truncate(kind)}' is not a kind: use heartbeat");
        }

        var definition = CheckSettings.Apply(
            defaults with { Name = name, Uuid = Guid.Empty, Kind = CheckKind.Heartbeat, Paused = false, DependsOn = [], ManagedBy = ManagedBy.Api },
            source);
        definition = definition with { DependsOn = source.Strings("depends_on") ?? [] };
        foreach (var (field, message) in definition.Validate())
        {
            errors.Add(field, message);
        }

        return definition;
    }
}
