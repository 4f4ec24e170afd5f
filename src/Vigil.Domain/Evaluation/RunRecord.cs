namespace Vigil.Domain.Evaluation;

/// <summary>One execution of a job, open or ended, as stored and shown.</summary>
public sealed record RunRecord
{
    public required string Check { get; init; }
    public required Guid Rid { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary><c>success</c>, <c>fail</c>, <c>lease_expired</c>, <c>max_runtime_exceeded</c>, or null while open.</summary>
    public string? Outcome { get; init; }
    public int? ExitCode { get; init; }
    public double? DurationSeconds { get; init; }
    public string? Holder { get; init; }
    public string? Message { get; init; }
    public string? Log { get; init; }
    public bool LogTruncated { get; init; }
}

public static class RunOutcomes
{
    public const string Success = "success";
    public const string Fail = "fail";
    public const string LeaseExpired = "lease_expired";
    public const string MaxRuntimeExceeded = "max_runtime_exceeded";

    /// <summary>A run without a rid that a newer start without a rid replaced: it can never be ended by a ping.</summary>
    public const string Superseded = "superseded";
}
