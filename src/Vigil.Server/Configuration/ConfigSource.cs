namespace Vigil.Server.Configuration;

/// <summary>Where a running server's configuration comes from, and the command-line overrides that stay in force
/// on every reload.</summary>
public sealed record ConfigSource(string Path, string? DataOverride = null, string? UrlsOverride = null);
