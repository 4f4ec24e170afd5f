namespace Vigil.Configuration;

/// <summary>The <c>audit</c> section: how long the audit log keeps an entry before it is pruned.</summary>
public sealed record AuditOptions
{
    /// <summary>The default value is 400 days: more than a year, so last year's same week can still be looked up.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(400);

    public TimeSpan Retention { get; init; } = DefaultRetention;
}
