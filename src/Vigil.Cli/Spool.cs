using System.Text.Json;
using Vigil.Client;

namespace Vigil.Cli;

/// <summary>
/// Signals that could not be sent wait here as one JSON file each, written atomically, and are delivered,
/// oldest first, by the next <c>vigil</c> invocation that reaches the server, marked as late reports with
/// their original time.
/// </summary>
internal sealed class Spool(string directory, TimeProvider time)
{
    internal sealed record Entry(string Check, string Kind, int? ExitStatus, Guid? Rid, DateTimeOffset At, string? Body, DateTimeOffset? DataTs);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string Directory { get; } = directory;

    public void Add(Entry entry)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var name = $"{time.GetUtcNow().ToUnixTimeMilliseconds():D15}-{Guid.NewGuid():N}.json";
        var temp = Path.Combine(Directory, "." + name + ".tmp");
        File.WriteAllText(temp, JsonSerializer.Serialize(entry, Json));
        File.Move(temp, Path.Combine(Directory, name));
    }

    public IReadOnlyList<string> Pending() =>
        System.IO.Directory.Exists(Directory)
            ? [.. System.IO.Directory.GetFiles(Directory, "*.json").Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>Sends what waits. Stops at the first unreachable server; drops (with a warning) what the server refuses for good.</summary>
    public async Task<int> ReplayAsync(VigilClient client, Action<string> warn, CancellationToken ct)
    {
        var sent = 0;
        foreach (var file in Pending())
        {
            Entry? entry;
            try
            {
                entry = JsonSerializer.Deserialize<Entry>(await File.ReadAllTextAsync(file, ct).ConfigureAwait(false), Json);
            }
            catch (Exception ex) when (ex is JsonException or IOException)
            {
                warn($"vigil: spooled signal {file} is unreadable ({ex.Message}); moved aside");
                File.Move(file, file + ".bad", overwrite: true);
                continue;
            }

            if (entry is null)
            {
                continue;
            }

            try
            {
                var kind = entry.Kind switch { "start" => PingKind.Start, "fail" => PingKind.Fail, "log" => PingKind.Log, _ => PingKind.Success };
                await client.PingAsync(entry.Check, kind, entry.ExitStatus, entry.Rid, entry.DataTs, entry.Body, lateAt: entry.At, ct: ct).ConfigureAwait(false);
                File.Delete(file);
                sent++;
            }
            catch (VigilUnreachableException)
            {
                break;
            }
            catch (VigilApiException ex) when (ex.Status is >= 400 and < 500 and not 429)
            {
                warn($"vigil: the server refused a spooled signal for '{entry.Check}' ({ex.Message}); dropped it");
                File.Delete(file);
            }
            catch (VigilApiException)
            {
                break;
            }
        }

        return sent;
    }
}
