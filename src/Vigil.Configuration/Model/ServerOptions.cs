namespace Vigil.Configuration;

/// <summary>The <c>server</c> section. <see cref="DataDirectory"/> is an absolute path.</summary>
public sealed record ServerOptions
{
    public const string DefaultUrls = "http://127.0.0.1:8470";
    public static readonly TimeSpan DefaultStartupGrace = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Listen addresses, separated by ';' as ASP.NET Core expects them.</summary>
    public string Urls { get; init; } = DefaultUrls;

    public required string DataDirectory { get; init; }

    /// <summary>The address used in links inside alerts; null when not configured.</summary>
    public Uri? PublicUrl { get; init; }

    public TimeSpan StartupGrace { get; init; } = DefaultStartupGrace;
    public TimeSpan ShutdownTimeout { get; init; } = DefaultShutdownTimeout;
}
