using Vigil.Domain.Audit;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Persistence;
using Vigil.Domain.Security;

namespace Vigil.Server.Security;

/// <summary>On the first start with no key at all, creates one admin key and writes it, once, to
/// <c>&lt;data&gt;/admin.key</c> with mode 0600. The key and its audit entry (<c>key.create</c> by <c>vigil</c>) are
/// committed in one transaction, as every other key change is: the log never misses the key everything else was
/// done with.</summary>
internal static class AdminKeyBootstrap
{
    public const string FileName = "admin.key";

    /// <summary>The bootstrap key's name, as the audit log and <c>vigil keys list</c> show it.</summary>
    public const string AdminKeyName = "admin";

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

        var now = time.GetUtcNow();
        var record = new ApiKey { Name = AdminKeyName, Scope = Scope.Admin, Sha256 = ApiKeyRegistry.Hash(key), CreatedAt = now };
        // The loop has loaded but not started: nothing else writes yet, so this batch goes to the store directly.
        var changes = new Changes();
        changes.Keys.Add(record);
        changes.Audit.Add(new AuditEntry
        {
            At = now,
            Key = AuditActions.Vigil,
            Action = AuditActions.KeyCreate,
            Target = record.Name,
            Reason = $"scope admin: the first start found no key, so Vigil made one and wrote it to {FileName} in the data directory",
        });
        await store.CommitAsync(changes, ct).ConfigureAwait(false);
        keys.Set(record);
        Log.AdminKeyCreated(log, path);
    }
}
