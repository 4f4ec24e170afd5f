using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Vigil.Domain.Security;

namespace Vigil.Server.Security;

/// <summary>API keys by hash, in two sets: the ones created through the API (changed one at a time, the store
/// is their durable copy) and the config file's (replaced as a whole on reload, by one reference swap, so no
/// request ever sees a half-applied set). Lookups are lock-free.</summary>
internal sealed class ApiKeyRegistry
{
    private readonly ConcurrentDictionary<string, ApiKey> _byHash = new(StringComparer.Ordinal);
    private volatile Dictionary<string, ApiKey> _fromConfig = new(StringComparer.Ordinal);

    public void Set(ApiKey key)
    {
        if (key.FromConfig)
        {
            ReplaceConfigKeys([.. _fromConfig.Values.Where(k => k.Name != key.Name), key]);
            return;
        }

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

    /// <summary>On reload: the config's keys replace the config's keys at once; keys created through the API stay.</summary>
    public void ReplaceConfigKeys(IEnumerable<ApiKey> keys) =>
        _fromConfig = keys.Where(k => k.RevokedAt is null).Select(k => k with { FromConfig = true })
            .GroupBy(k => k.Sha256).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    public int Count => _byHash.Count + _fromConfig.Count;

    public IReadOnlyList<ApiKey> All => [.. _byHash.Values.Concat(_fromConfig.Values).OrderBy(k => k.Name, StringComparer.Ordinal)];

    public ApiKey? Find(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return null;
        }

        var hash = Hash(presented);
        return _fromConfig.GetValueOrDefault(hash) ?? _byHash.GetValueOrDefault(hash);
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A new random key: <c>vgl_</c> and 32 bytes of base64url.</summary>
    public static string NewKey() =>
        "vgl_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
