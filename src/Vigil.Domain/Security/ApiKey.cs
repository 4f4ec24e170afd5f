namespace Vigil.Domain.Security;

/// <summary>The four scopes, each allowing everything the one before allows.</summary>
public enum Scope { Ping = 0, Read = 1, Write = 2, Admin = 3 }

/// <summary>An API key as stored: its name, scope and SHA-256 hash, never the key itself.</summary>
public sealed record ApiKey
{
    public required string Name { get; init; }
    public required Scope Scope { get; init; }

    /// <summary>Lower-case hex SHA-256 of the key.</summary>
    public required string Sha256 { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    public bool FromConfig { get; init; }
}
