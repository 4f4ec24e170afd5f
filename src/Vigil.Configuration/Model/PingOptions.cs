namespace Vigil.Configuration;

/// <summary>The <c>ping</c> section.</summary>
public sealed record PingOptions
{
    public const int DefaultBodyLimit = 100_000;
    public static readonly Rate DefaultRateLimit = new(10, TimeSpan.FromSeconds(1));

    public int BodyLimit { get; init; } = DefaultBodyLimit;

    /// <summary>Per check.</summary>
    public Rate RateLimit { get; init; } = DefaultRateLimit;

    public bool Always200 { get; init; }

    /// <summary>How many checks <c>?create=1</c> may have created (and not yet deleted); 0 means no limit. The default value is 1000.</summary>
    public const int DefaultAutoCreateLimit = 1000;

    public int AutoCreateLimit { get; init; } = DefaultAutoCreateLimit;

    /// <summary>Settings for checks created by <c>?create=1</c>: <c>defaults</c> then <c>ping.auto_create</c>.</summary>
    public required CheckTemplate AutoCreate { get; init; }
}
