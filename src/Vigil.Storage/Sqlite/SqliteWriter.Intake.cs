using Vigil.Domain.Evaluation;

namespace Vigil.Storage.Sqlite;

/// <summary>The alert intake's records, written in the batch's transaction with the notifications they let through.</summary>
internal sealed partial class SqliteWriter
{
    private RawStatement? _upsertIntake;
    private RawStatement? _deleteIntake;

    private void WriteIntake(Changes changes)
    {
        // In order: a record may be written and removed (or removed and written again) within one batch.
        foreach (var (key, record) in changes.Intake)
        {
            if (record is null)
            {
                _deleteIntake ??= Prepare("DELETE FROM alert_intake WHERE key = $key;", "$key");
                _deleteIntake.Text(key).Execute();
                continue;
            }

            _upsertIntake ??= Prepare(
                """
                INSERT INTO alert_intake (key, first_seen, expires_at, digest, held) VALUES ($key, $first_seen, $expires_at, $digest, $held)
                ON CONFLICT (key) DO UPDATE SET first_seen = excluded.first_seen, expires_at = excluded.expires_at,
                    digest = excluded.digest, held = excluded.held;
                """,
                "$key", "$first_seen", "$expires_at", "$digest", "$held");
            _upsertIntake.Text(key).Instant(record.FirstSeen).Instant(record.ExpiresAt).Text(record.Digest)
                .Text(record.Held is { } held ? StoreJson.Serialize(held) : null).Execute();
        }
    }
}
