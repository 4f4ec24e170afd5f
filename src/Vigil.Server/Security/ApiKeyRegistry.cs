using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Vigil.Domain.Security;

namespace Vigil.Server.Security;

/// <summary>API keys by hash. Lookups are lock-free; the store is the durable copy.</summary>
internal sealed class ApiKeyRegistry
{
    private readonly ConcurrentDictionary<string, ApiKey> _byHash = new(StringComparer.Ordinal);

    public void Set(ApiKey key)
    {
        foreach (var (hash, existing) in _byHash)
        {
            if (existing.Name == key.Name)
            {
                _byHash.TryRemove(hash, out _);
            }
        }

        if (key.RevokedAt is null)
        {
            _byHash[key.Sha256] = key;
        }
    }

    public bool Revoke(string name)
    {
        var removed = false;
        foreach (var (hash, existing) in _byHash)
        {
            if (existing.Name == name)
            {
                removed |= _byHash.TryRemove(hash, out _);
            }
        }

        return removed;
    }

    /// <summary>On reload: the config's keys replace the config's keys; keys created through the API stay.</summary>
    public void ReplaceConfigKeys(IEnumerable<ApiKey> keys)
    {
        foreach (var (hash, existing) in _byHash)
        {
            if (existing.FromConfig)
            {
                _byHash.TryRemove(hash, out _);
            }
        }

        foreach (var key in keys)
        {
            Set(key with { FromConfig = true });
        }
    }

    public int Count => _byHash.Count;

    public IReadOnlyList<ApiKey> All => [.. _byHash.Values.OrderBy(k => k.Name, StringComparer.Ordinal)];

    public ApiKey? Find(string? presented) =>
        string.IsNullOrEmpty(presented) ? null : _byHash.GetValueOrDefault(Hash(presented));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A new random key: <c>vgl_</c> and 32 bytes of base64url.</summary>
    public static string NewKey() =>
        "vgl_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
