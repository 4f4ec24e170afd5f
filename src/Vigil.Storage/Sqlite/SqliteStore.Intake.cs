using Microsoft.Data.Sqlite;
using Vigil.Domain.Intake;
using Vigil.Domain.Persistence;

namespace Vigil.Storage.Sqlite;

/// <summary>Loading the alert intake's records, within the load's read transaction.</summary>
public sealed partial class SqliteStore
{
    private async Task<List<IntakeRecord>> ReadIntakeAsync(SqliteConnection connection, CancellationToken ct)
    {
        var records = new List<IntakeRecord>();
        await using var command = Command(connection, "SELECT key, first_seen, expires_at, digest, held FROM alert_intake ORDER BY first_seen, key;");
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var key = reader.GetString(0);
            Domain.Notifications.Notification? held = null;
            if (reader.NullableString(4) is { } json)
            {
                try
                {
                    held = StoreJson.ReadNotification(json);
                }
                catch (System.Text.Json.JsonException ex)
                {
                    throw new StoreUnavailableException(
                        $"{Describe()}: the held notification of alert intake record '{key}' cannot be read ({ex.Message}); restore a backup or fix the row", ex);
                }
            }

            records.Add(new IntakeRecord
            {
                Key = key,
                FirstSeen = reader.Instant(1),
                ExpiresAt = reader.Instant(2),
                Digest = reader.NullableString(3),
                Held = held,
            });
        }

        return records;
    }
}
