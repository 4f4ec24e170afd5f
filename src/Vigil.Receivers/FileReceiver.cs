using System.Text;

namespace Vigil.Receivers;

/// <summary>Appends to a local file: the receiver of last resort.</summary>
public sealed record FileReceiverOptions(string Path) : ReceiverOptions
{
    public override string Kind => "file";
}

/// <summary>Appends one JSON line per notification (several for a digest, one write) and flushes it to disk.</summary>
public sealed class FileReceiver(string name, string path) : IReceiver
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public string Name { get; } = name;

    public async Task<DeliveryResult> DeliverAsync(OutgoingMessage message, CancellationToken ct)
    {
        var text = new StringBuilder();
        foreach (var notification in message.Notifications)
        {
            var json = NotificationPayload.ToJson(notification);
            // Today's line: the notification's own key, so a single line is what it always was; a digest's lines
            // also carry the message's key so they can be told apart from the same notification sent alone.
            json["idempotency_key"] = message.Notifications.Count == 1 ? message.IdempotencyKey : notification.Id.ToString();
            json["receiver"] = Name;
            if (message.Notifications.Count > 1)
            {
                json["message_key"] = message.IdempotencyKey;
            }

            text.Append(json.ToJsonString()).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            await using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.WriteThrough);
            await stream.WriteAsync(bytes, ct).ConfigureAwait(false);
            await stream.FlushAsync(ct).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
            return DeliveryResult.Ok;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return DeliveryResult.Failed($"file receiver '{Name}': cannot append to {path}: {ex.Message}");
        }
        finally
        {
            _gate.Release();
        }
    }
}
