using Vigil.Domain.Checks;

namespace Vigil.Domain.Probes;

/// <summary>
/// What one probe run found, before it is judged: the quantities measured, or why nothing could be measured,
/// or a level the probe decided itself (a failed expectation such as an unexpected HTTP status, or a Nagios
/// plugin's exit status). <see cref="ProbeJudge"/> turns it into a <see cref="Measurement"/>.
/// </summary>
public sealed record ProbeReading
{
    private static readonly Dictionary<string, double> NoQuantities = [];
    private static readonly Dictionary<string, string> NoPhrases = [];

    public required DateTimeOffset At { get; init; }

    /// <summary>What was measured, as a noun phrase a reason can start with:
    /// <c>/srv/scanner/token.json's $.token.created_at</c>.</summary>
    public required string Subject { get; init; }

    public IReadOnlyDictionary<string, double> Quantities { get; init; } = NoQuantities;

    /// <summary>Sentences for quantities whose default wording ("SUBJECT is N") would read badly, e.g. rows:
    /// "the query on cache.db returned 0 rows".</summary>
    public IReadOnlyDictionary<string, string> Phrases { get; init; } = NoPhrases;

    /// <summary>Why nothing could be measured, as a sentence; null when the probe measured.</summary>
    public string? Problem { get; init; }

    /// <summary>A level the probe decided itself, with <see cref="Problem"/> unset and <see cref="VerdictReason"/> set.</summary>
    public Level? Verdict { get; init; }

    public string? VerdictReason { get; init; }

    public bool IsMeasured => Problem is null;

    public static ProbeReading Measured(DateTimeOffset at, string subject, IReadOnlyDictionary<string, double> quantities, IReadOnlyDictionary<string, string>? phrases = null) =>
        new() { At = at, Subject = subject, Quantities = quantities, Phrases = phrases ?? NoPhrases };

    public static ProbeReading Unmeasurable(DateTimeOffset at, string subject, string problem, IReadOnlyDictionary<string, double>? quantities = null) =>
        new() { At = at, Subject = subject, Problem = problem, Quantities = quantities ?? NoQuantities };

    public static ProbeReading Decided(DateTimeOffset at, string subject, Level level, string reason, IReadOnlyDictionary<string, double> quantities) =>
        new() { At = at, Subject = subject, Verdict = level, VerdictReason = reason, Quantities = quantities };
}
