using System.Text.Json;
using Vigil.Domain.Checks;

namespace Vigil.Server.Http;

/// <summary>The body of <c>PUT /api/v1/checks/{name}</c>: the same keys as a check in vigil.yaml.</summary>
internal sealed record CheckBody
{
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

    /// <summary>Maps onto the configured defaults; every problem is added to <paramref name="errors"/>.</summary>
    public CheckDefinition ToDefinition(string name, CheckDefinition defaults, RequestErrors errors)
    {
        var kind = CheckKind.Heartbeat;
        if (Kind is "probe")
        {
            errors.Add("kind", "probe checks are not available in this version yet");
        }
        else if (Kind is not null and not "heartbeat")
        {
            errors.Add("kind", $"'{Fields.Truncate(Kind)}' is not a kind: use heartbeat");
        }

        var severity = defaults.Severity;
        if (Severity is not null && !EnumText.TryParseSeverity(Severity, out severity))
        {
            errors.Add("severity", $"'{Fields.Truncate(Severity)}' is not a severity: use critical or warning");
        }

        var definition = defaults with
        {
            Name = name,
            Uuid = Fields.Uuid(Uuid, "uuid", errors) ?? Guid.Empty,
            Kind = kind,
            Every = Fields.Duration(Every, "every", errors) ?? (Cron is null ? defaults.Every : null),
            Cron = Cron ?? (Every is null ? defaults.Cron : null),
            Tz = Tz ?? defaults.Tz,
            Grace = Fields.Duration(Grace, "grace", errors) ?? defaults.Grace,
            MaxRuntime = Fields.Duration(MaxRuntime, "max_runtime", errors) ?? defaults.MaxRuntime,
            MinInterval = Fields.Duration(MinInterval, "min_interval", errors) ?? defaults.MinInterval,
            MaxDataAge = Fields.Duration(MaxDataAge, "max_data_age", errors) ?? defaults.MaxDataAge,
            FailAfter = FailAfter ?? defaults.FailAfter,
            RecoverAfter = RecoverAfter ?? defaults.RecoverAfter,
            Flapping = Flapping is null ? defaults.Flapping : new FlappingSettings(
                Flapping.Changes ?? defaults.Flapping.Changes,
                Fields.Duration(Flapping.Window, "flapping.window", errors) ?? defaults.Flapping.Window),
            Severity = severity,
            Tags = Tags ?? defaults.Tags,
            Description = Description ?? defaults.Description,
            Runbook = Runbook ?? defaults.Runbook,
            Paused = Paused ?? false,
            ManualResume = ManualResume ?? defaults.ManualResume,
            Concurrency = Concurrency ?? defaults.Concurrency,
            DependsOn = DependsOn ?? [],
            Keywords = Keywords is null ? defaults.Keywords : new KeywordFilters(Keywords.Success ?? [], Keywords.Failure ?? [], Keywords.Start ?? []),
            ManagedBy = ManagedBy.Api,
        };

        if (Description is { Length: > 2000 }) errors.Add("description", "must be at most 2000 characters");
        if (Runbook is { Length: > 2000 }) errors.Add("runbook", "must be at most 2000 characters");
        foreach (var (field, message) in definition.Validate())
        {
            errors.Add(field, message);
        }

        return definition;
    }
}
