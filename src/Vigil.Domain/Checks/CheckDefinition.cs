using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;
using Vigil.Domain.Time;

namespace Vigil.Domain.Checks;

/// <summary>What an operator declared about a check (config file or API). Immutable; the evaluator keeps
/// the runtime facts in <see cref="CheckState"/>.</summary>
public sealed record CheckDefinition
{
    /// <summary>The default grace. The default value is 1 minute.</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromMinutes(1);

    public required string Name { get; init; }
    public Guid Uuid { get; init; }
    public CheckKind Kind { get; init; } = CheckKind.Heartbeat;
    public TimeSpan? Every { get; init; }
    public string? Cron { get; init; }
    public string Tz { get; init; } = "UTC";
    public TimeSpan Grace { get; init; } = DefaultGrace;

    /// <summary>Bounds one run; defaults to <see cref="Grace"/> for ping-started runs. Runs under a lease are
    /// bounded by their lease and, only when this is set explicitly, by this too.</summary>
    public TimeSpan? MaxRuntime { get; init; }
    public TimeSpan? MinInterval { get; init; }
    public TimeSpan? MaxDataAge { get; init; }
    public int FailAfter { get; init; } = 1;
    public int RecoverAfter { get; init; } = 1;
    public FlappingSettings Flapping { get; init; } = FlappingSettings.Default;
    public Severity Severity { get; init; } = Severity.Critical;
    public IReadOnlyList<string> Tags { get; init; } = [];
    public string? Description { get; init; }
    public string? Runbook { get; init; }
    public bool Paused { get; init; }
    public bool ManualResume { get; init; }
    public int Concurrency { get; init; } = 1;
    public IReadOnlyList<string> DependsOn { get; init; } = [];
    public string? Remediation { get; init; }
    public KeywordFilters? Keywords { get; init; }
    public ManagedBy ManagedBy { get; init; } = ManagedBy.Api;

    /// <summary>What a probe check measures (<c>probe:</c>); null for other checks.</summary>
    public ProbeDefinition? Probe { get; init; }

    public Condition? WarnIf { get; init; }
    public Condition? CriticalIf { get; init; }

    /// <summary>The level of a probe run that cannot measure (<c>unmeasurable</c>). The default value is critical.</summary>
    public Level Unmeasurable { get; init; } = Level.Critical;

    public TimeSpan EffectiveMaxRuntime => MaxRuntime ?? Grace;

    /// <summary>Equal settings, comparing lists by content (a record compares them by reference, so the same
    /// file loaded twice would otherwise look changed on every start and every reload).</summary>
    public bool HasSameSettingsAs(CheckDefinition other) =>
        this with { Tags = [], DependsOn = [], Keywords = null, Probe = null } == other with { Tags = [], DependsOn = [], Keywords = null, Probe = null }
        && Equals(Probe, other.Probe)
        && Tags.SequenceEqual(other.Tags)
        && DependsOn.SequenceEqual(other.DependsOn)
        && SameKeywords(Keywords, other.Keywords);

    private static bool SameKeywords(KeywordFilters? a, KeywordFilters? b) =>
        a is null || b is null
            ? a is null && b is null
            : a.Success.SequenceEqual(b.Success) && a.Failure.SequenceEqual(b.Failure) && a.Start.SequenceEqual(b.Start);

    /// <summary>Builds the schedule, or null for a check with neither <c>every</c> nor <c>cron</c>.</summary>
    public Schedule? BuildSchedule()
    {
        if (Every is { } period)
        {
            return Schedule.Every(period);
        }

        if (Cron is { } cron && Schedule.TryCron(cron, Tz, out var schedule, out var error))
        {
            return schedule;
        }

        return Cron is null ? null : throw new InvalidOperationException(Validate().FirstOrDefault().Message);
    }

    /// <summary>Every problem with these settings, keyed by field name as written in vigil.yaml.</summary>
    public IEnumerable<(string Field, string Message)> Validate()
    {
        if (!CheckName.IsValid(Name)) yield return ("name", CheckName.Problem(Name));
        if (Every is not null && Cron is not null) yield return ("cron", "give either every or cron, not both");
        if (Every is { } e && e <= TimeSpan.Zero) yield return ("every", "must be longer than 0s");
        if (Cron is { } c && !Schedule.TryCron(c, Tz, out _, out var cronError)) yield return (cronError!.Contains("time zone") ? "tz" : "cron", cronError);
        if (Cron is null && Tz != "UTC" && !Schedule.TryZone(Tz, out _, out var tzError)) yield return ("tz", tzError!);
        if (Grace < TimeSpan.Zero) yield return ("grace", "must not be negative");
        if (MaxRuntime is { } m && m <= TimeSpan.Zero) yield return ("max_runtime", "must be longer than 0s");
        if (MaxDataAge is { } a && a <= TimeSpan.Zero) yield return ("max_data_age", "must be longer than 0s");
        if (MinInterval is { } i && i <= TimeSpan.Zero) yield return ("min_interval", "must be longer than 0s");
        if (FailAfter < 1) yield return ("fail_after", "must be 1 or more");
        if (RecoverAfter < 1) yield return ("recover_after", "must be 1 or more");
        if (Concurrency < 1) yield return ("concurrency", "must be 1 or more");
        if (Flapping.Changes < 1) yield return ("flapping.changes", "must be 1 or more");
        if (Flapping.Window <= TimeSpan.Zero) yield return ("flapping.window", "must be longer than 0s");
        foreach (var (field, value) in new (string, TimeSpan?)[] { ("every", Every), ("grace", Grace), ("max_runtime", MaxRuntime), ("min_interval", MinInterval), ("max_data_age", MaxDataAge), ("flapping.window", Flapping.Window) })
        {
            if (value > CheckLimits.MaxDuration) yield return (field, CheckLimits.DurationProblem);
        }

        foreach (var (field, value) in new (string, int)[] { ("fail_after", FailAfter), ("recover_after", RecoverAfter), ("concurrency", Concurrency), ("flapping.changes", Flapping.Changes) })
        {
            if (value > CheckLimits.MaxCount) yield return (field, CheckLimits.CountProblem);
        }

        if (Description is { Length: > 2000 }) yield return ("description", "must be at most 2000 characters");
        if (Runbook is { Length: > 2000 }) yield return ("runbook", "must be at most 2000 characters");
        foreach (var tag in Tags)
        {
            if (string.IsNullOrWhiteSpace(tag) || tag.Length > 64) yield return ("tags", $"'{tag}' is not a tag: 1 to 64 characters");
        }

        if (Probe is { } probe)
        {
            if (WarnIf is { } w && ProbeConditionProblem(probe, w) is { } wp) yield return ("warn_if", wp);
            if (CriticalIf is { } ci && ProbeConditionProblem(probe, ci) is { } cp) yield return ("critical_if", cp);
        }
    }

    private static string? ProbeConditionProblem(ProbeDefinition probe, Condition condition)
    {
        if (probe.Quantities.Contains(condition.Quantity))
        {
            return null;
        }

        var hint = condition.Quantity switch
        {
            Quantity.Age when probe is HttpProbeDefinition or FileProbeDefinition or SqlProbeDefinition or RedisProbeDefinition => "; add value: timestamp to measure the age of the value read",
            Quantity.Value when probe is HttpProbeDefinition => "; add json: to read a value from the body",
            Quantity.DaysLeft when probe is HttpProbeDefinition => "; days_left needs an https:// url",
            _ => "",
        };
        return $"'{condition}' names {condition.Quantity}, which this {probe.Kind} probe does not measure (it measures {string.Join(", ", probe.Quantities)}){hint}";
    }

    public string DescribeSchedule() => Every is { } e ? $"every {Durations.Format(e)}" : Cron is { } c ? $"cron '{c}' ({Tz})" : "no schedule";
}
