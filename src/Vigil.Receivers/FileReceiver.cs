using System.Text;
using Vigil.Domain.Notifications;

namespace Vigil.Receivers;

/// <summary>Appends one JSON line per notification and flushes it to disk: the receiver of last resort.</summary>
public sealed class FileReceiver(string name, string path) : IReceiver
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public string Name { get; } = name;

    public async Task<DeliveryResult> DeliverAsync(OutboxEntry entry, CancellationToken ct)
    {
        var json = NotificationPayload.ToJson(entry.Notification);
        json["idempotency_key"] = entry.IdempotencyKey;
        json["receiver"] = Name;
        var line = Encoding.UTF8.GetBytes(json.ToJsonString() + "\n");
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            await using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.WriteThrough);
            await stream.WriteAsync(line, ct).ConfigureAwait(false);
            await stream.FlushAsync(ct).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
            return DeliveryResult.Ok;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return DeliveryResult.Failed($"cannot append to {path}: {ex.Message}");
        }
        finally
        {
            _gate.Release();
        }
    }
}
