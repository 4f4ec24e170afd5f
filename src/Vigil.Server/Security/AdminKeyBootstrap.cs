using Vigil.Domain.Persistence;
using Vigil.Domain.Security;

namespace Vigil.Server.Security;

/// <summary>On the first start with no key at all, creates one admin key and writes it, once, to
/// <c>&lt;data&gt;/admin.key</c> with mode 0600.</summary>
internal static class AdminKeyBootstrap
{
    public const string FileName = "admin.key";

    public static async Task EnsureAsync(ApiKeyRegistry keys, IVigilStore store, string dataDirectory, TimeProvider time, ILogger log, CancellationToken ct)
    {
        if (keys.Count > 0)
        {
            return;
        }

        var path = Path.Combine(dataDirectory, FileName);
        var key = ApiKeyRegistry.NewKey();
        Directory.CreateDirectory(dataDirectory);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Created 0600 from the first byte: the key is never readable by others, not even briefly.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using (var stream = new FileStream(path, options))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteLineAsync(key).ConfigureAwait(false);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var record = new ApiKey { Name = "admin", Scope = Scope.Admin, Sha256 = ApiKeyRegistry.Hash(key), CreatedAt = time.GetUtcNow() };
        await store.SaveKeyAsync(record, ct).ConfigureAwait(false);
        keys.Set(record);
        Log.AdminKeyCreated(log, path);
    }
}
