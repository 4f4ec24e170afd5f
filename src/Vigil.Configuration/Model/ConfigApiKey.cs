using Vigil.Domain.Security;

namespace Vigil.Configuration;

/// <summary>An API key declared in the file: only its SHA-256 (lower-case hex) is kept.</summary>
public sealed record ConfigApiKey(string Name, Scope Scope, string Sha256)
{
    public ApiKey ToApiKey(DateTimeOffset createdAt) => new()
    {
        Name = Name,
        Scope = Scope,
        Sha256 = Sha256,
        CreatedAt = createdAt,
        FromConfig = true,
    };
}
