namespace Vigil.Domain.Checks;

/// <summary>
/// The one parser of a check's settings, shared by the config file and the API: which keys there are and how
/// one layer (defaults, a check, a mode override, a PUT body) applies on top of another. Limits are checked
/// after, by <see cref="CheckDefinition.Validate"/>, for both alike.
/// </summary>
public static class CheckSettings
{
    /// <summary>The keys this parser reads; a source may accept others (kind, depends_on, probe…) and read them itself.</summary>
    public static readonly string[] Keys =
    [
        "uuid", "every", "cron", "tz", "grace", "max_runtime", "min_interval", "max_data_age", "fail_after", "recover_after",
        "flapping", "severity", "tags", "description", "runbook", "paused", "manual_resume", "concurrency", "keywords",
    ];

    public static readonly string[] FlappingKeys = ["changes", "window"];

    public static readonly string[] KeywordKeys = ["success", "failure", "start"];

    public static readonly IReadOnlyDictionary<string, Severity> Severities = new Dictionary<string, Severity>(StringComparer.Ordinal)
    {
        ["critical"] = Severity.Critical,
        ["warning"] = Severity.Warning,
    };

    /// <summary>Applies the keys <paramref name="source"/> gives on top of <paramref name="definition"/>. Giving
    /// <c>every</c> (<c>cron</c>) in a layer replaces a <c>cron</c> (<c>every</c>) inherited from a lower one;
    /// giving an optional bound with no value unsets it.</summary>
    public static CheckDefinition Apply(CheckDefinition definition, ICheckSettingsSource source)
    {
        var d = definition;
        if (source.Present("uuid") && source.String("uuid") is { } uuidText)
        {
            if (Guid.TryParse(uuidText, out var uuid) && uuid != Guid.Empty)
            {
                d = d with { Uuid = uuid };
            }
            else
            {
                source.Problem("uuid", "is not a UUID such as 5f3b1c2e-8d4a-4b6e-9c1f-2a7d3e9b0c11");
            }
        }

        if (source.Present("every"))
        {
            d = d with { Every = source.Duration("every"), Cron = source.Present("cron") ? d.Cron : null };
        }

        if (source.Present("cron"))
        {
            d = d with { Cron = source.String("cron"), Every = source.Present("every") ? d.Every : null };
        }

        d = d with
        {
            Tz = source.String("tz") ?? d.Tz,
            Grace = source.Duration("grace") ?? d.Grace,
            MaxRuntime = source.Present("max_runtime") ? source.Duration("max_runtime") : d.MaxRuntime,
            MinInterval = source.Present("min_interval") ? source.Duration("min_interval") : d.MinInterval,
            MaxDataAge = source.Present("max_data_age") ? source.Duration("max_data_age") : d.MaxDataAge,
            FailAfter = source.Int("fail_after") ?? d.FailAfter,
            RecoverAfter = source.Int("recover_after") ?? d.RecoverAfter,
            Concurrency = source.Int("concurrency") ?? d.Concurrency,
            Severity = source.Choice("severity", Severities) ?? d.Severity,
            Description = source.String("description") ?? d.Description,
            Runbook = source.String("runbook") ?? d.Runbook,
            Paused = source.Bool("paused") ?? d.Paused,
            ManualResume = source.Bool("manual_resume") ?? d.ManualResume,
        };

        if (source.Section("flapping", FlappingKeys) is { } flapping)
        {
            d = d with { Flapping = new FlappingSettings(flapping.Int("changes") ?? d.Flapping.Changes, flapping.Duration("window") ?? d.Flapping.Window) };
        }

        if (source.Strings("tags") is { } tags)
        {
            d = d with { Tags = [.. tags.Distinct(StringComparer.Ordinal)] };
        }

        if (source.Section("keywords", KeywordKeys) is { } words)
        {
            var previous = d.Keywords;
            var keywords = new KeywordFilters(
                words.Strings("success") ?? previous?.Success ?? [],
                words.Strings("failure") ?? previous?.Failure ?? [],
                words.Strings("start") ?? previous?.Start ?? []);
            d = d with { Keywords = keywords.IsEmpty ? null : keywords };
        }

        return d;
    }
}
