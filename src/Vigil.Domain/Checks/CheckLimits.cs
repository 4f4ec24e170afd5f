namespace Vigil.Domain.Checks;

/// <summary>
/// The one set of limits on a check's settings, enforced by <see cref="CheckDefinition.Validate"/> for the
/// config file and the API alike. Beyond them a setting is a typo or an attack, not an intent; inside them
/// every deadline Vigil computes stays representable (and the arithmetic saturates regardless).
/// </summary>
public static class CheckLimits
{
    /// <summary>The longest duration a check setting may have. The value is 3650 days (about ten years).</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(3650);

    /// <summary>The largest count (<c>fail_after</c>, <c>recover_after</c>, <c>concurrency</c>, <c>flapping.changes</c>). The value is 1000.</summary>
    public const int MaxCount = 1000;

    /// <summary>How many runs one check may have open at once; a start beyond it supersedes the oldest. The value is 1000.</summary>
    public const int MaxOpenRuns = 1000;

    public static string DurationProblem => "must be at most 3650d (ten years)";

    public static string CountProblem => $"must be at most {MaxCount}";
}
