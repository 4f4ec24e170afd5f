namespace Vigil.Domain.Evaluation;

/// <summary>One line of a check's history: a signal, a status change, an alert, a warning.</summary>
public sealed record CheckEvent
{
    public required string Check { get; init; }
    public required DateTimeOffset At { get; init; }
    public required string Type { get; init; }
    public string Reason { get; init; } = "";
    public Guid? Rid { get; init; }
    public DateTimeOffset? DataTs { get; init; }
    public int? ExitStatus { get; init; }
    public string? Body { get; init; }
    public bool BodyTruncated { get; init; }

    /// <summary>For a late report (a spooled signal delivered after the fact): when the client says it happened.</summary>
    public DateTimeOffset? ReportedAt { get; init; }
    public long Id { get; set; }
}
