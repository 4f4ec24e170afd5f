using Microsoft.Data.Sqlite;
using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;
using Vigil.Domain.Persistence;
using Vigil.Domain.Security;

namespace Vigil.Storage.Sqlite;

/// <summary>Reads, each on its own pooled connection so they run alongside the writer (WAL snapshots).</summary>
public sealed partial class SqliteStore
{
    public async Task<StoredState> LoadAsync(CancellationToken ct)
    {
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);

        // One read transaction: the checks, keys and liveness are one consistent snapshot even if a writer
        // commits in the middle of the load.
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct).ConfigureAwait(false);

        var checks = new List<(CheckDefinition, CheckState)>();
        await using (var command = Command(connection, "SELECT name, definition, state FROM checks ORDER BY name;"))
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                checks.Add((ReadDocument(reader, 0, 1, StoreJson.ReadDefinition), ReadDocument(reader, 0, 2, StoreJson.ReadState)));
            }
        }

        var keys = new List<ApiKey>();
        await using (var command = Command(connection,
            "SELECT name, scope, sha256, created_at, revoked_at, from_config FROM api_keys ORDER BY name;"))
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                keys.Add(new ApiKey
                {
                    Name = reader.GetString(0),
                    Scope = ScopeText.Parse(reader.GetString(1)),
                    Sha256 = reader.GetString(2),
                    CreatedAt = reader.Instant(3),
                    RevokedAt = reader.NullableInstant(4),
                    FromConfig = reader.Flag(5),
                });
            }
        }

        DateTimeOffset? lastAlive = null;
        await using (var command = Command(connection, "SELECT value FROM meta WHERE key = $key;", ("$key", SqliteWriter.LastAliveKey)))
        {
            if (await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is string text)
            {
                lastAlive = SqliteTime.Parse(text);
            }
        }

        long fencingHighWater = 0;
        await using (var command = Command(connection, "SELECT value FROM meta WHERE key = $key;", ("$key", SqliteWriter.FencingHighWaterKey)))
        {
            if (await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is string text)
            {
                fencingHighWater = long.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        string? mode = null;
        await using (var command = Command(connection, "SELECT value FROM meta WHERE key = $key;", ("$key", SqliteWriter.ChosenModeKey)))
        {
            mode = await command.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
        }

        var silences = new List<Silence>();
        await using (var command = Command(connection, "SELECT id, silence FROM silences WHERE until > $now ORDER BY until;", ("$now", SqliteTime.ToText(_time.GetUtcNow()))))
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                silences.Add(ReadDocument(reader, 0, 1, StoreJson.ReadSilence));
            }
        }

        var (breakers, gates) = await LoadPoliciesAsync(connection, ct).ConfigureAwait(false);
        var intake = await ReadIntakeAsync(connection, ct).ConfigureAwait(false);
        return new StoredState(checks, keys, lastAlive, fencingHighWater) { Silences = silences, Breakers = breakers, Gates = gates, AlertIntake = intake, Mode = mode };
    }

    public async Task PingAsync(CancellationToken ct)
    {
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using var command = Command(connection, "SELECT count(*) FROM meta;");
        await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<RunRecord>> GetRunsAsync(string check, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return await QueryAsync(
            $"SELECT {RunColumns} FROM runs WHERE check_name = $check ORDER BY coalesce(started_at, ended_at) DESC, rid LIMIT $limit;",
            ReadRun, ct, ("$check", (object?)check ?? DBNull.Value), ("$limit", limit)).ConfigureAwait(false);
    }

    public async Task<RunRecord?> GetRunAsync(string check, Guid rid, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(check);
        var runs = await QueryAsync(
            $"SELECT {RunColumns} FROM runs WHERE check_name = $check AND rid = $rid;",
            ReadRun, ct, ("$check", check), ("$rid", SqliteValues.Text(rid))).ConfigureAwait(false);
        return runs.Count == 0 ? null : runs[0];
    }

    public async Task<IReadOnlyList<CheckEvent>> GetEventsAsync(string check, int limit, DateTimeOffset? since, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return await QueryAsync(
            """
            SELECT id, check_name, at, type, reason, rid, data_ts, exit_status, body, body_truncated, reported_at
            FROM events WHERE check_name = $check AND ($since IS NULL OR at >= $since)
            ORDER BY id DESC LIMIT $limit;
            """,
            ReadEvent, ct, ("$check", check), ("$since", SqliteTime.ToDb(since)), ("$limit", limit)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> GetOutboxReceiversAsync(CancellationToken ct) =>
        await QueryAsync("SELECT DISTINCT receiver FROM outbox WHERE status = 'pending' ORDER BY receiver;", r => r.GetString(0), ct)
            .ConfigureAwait(false);

    public async Task<IReadOnlyList<DeliveryRecord>> GetDeliveriesAsync(string? check, string? digest, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return await QueryAsync(
            """
            SELECT notification_id, receiver, json_extract(notification, '$.check'), json_extract(notification, '$.alert'),
                   json_extract(notification, '$.state'), status, attempts, last_error, created_at, next_attempt_at, delivered_at, delivered_via,
                   digest
            FROM outbox WHERE ($check IS NULL OR check_key = $check) AND ($digest IS NULL OR digest = $digest)
            ORDER BY seq DESC LIMIT $limit;
            """,
            r => new DeliveryRecord
            {
                NotificationId = r.GuidText(0),
                Receiver = r.GetString(1),
                Check = r.NullableString(2),
                Alert = r.NullableString(3) ?? "",
                State = r.NullableString(4) ?? "",
                Status = r.GetString(5),
                Attempts = r.GetInt32(6),
                LastError = r.NullableString(7),
                CreatedAt = r.Instant(8),
                NextAttemptAt = r.GetString(5) == "pending" ? r.NullableInstant(9) : null,
                DeliveredAt = r.NullableInstant(10),
                Via = r.NullableString(11),
                Digest = r.NullableString(12),
            },
            ct, ("$check", (object?)check ?? DBNull.Value), ("$digest", (object?)digest ?? DBNull.Value), ("$limit", limit)).ConfigureAwait(false);
    }

    public async Task<(int Pending, DateTimeOffset? Oldest, DateTimeOffset? NextAttemptAt)> GetOutboxStatsAsync(CancellationToken ct)
    {
        var rows = await QueryAsync(
            "SELECT count(*), min(created_at), min(next_attempt_at) FROM outbox WHERE status = 'pending';",
            r => (r.GetInt32(0), r.NullableInstant(1), r.NullableInstant(2)), ct).ConfigureAwait(false);
        return rows[0];
    }

    private const string RunColumns =
        "check_name, rid, started_at, ended_at, outcome, exit_code, duration_s, holder, message, log, log_truncated";

    private static RunRecord ReadRun(SqliteDataReader r) => new()
    {
        Check = r.GetString(0),
        Rid = r.GuidText(1),
        StartedAt = r.NullableInstant(2),
        EndedAt = r.NullableInstant(3),
        Outcome = r.NullableString(4),
        ExitCode = r.NullableInt(5),
        DurationSeconds = r.NullableDouble(6),
        Holder = r.NullableString(7),
        Message = r.NullableString(8),
        Log = r.NullableString(9),
        LogTruncated = r.Flag(10),
    };

    private static CheckEvent ReadEvent(SqliteDataReader r) => new()
    {
        Id = r.GetInt64(0),
        Check = r.GetString(1),
        At = r.Instant(2),
        Type = r.GetString(3),
        Reason = r.GetString(4),
        Rid = r.NullableGuid(5),
        DataTs = r.NullableInstant(6),
        ExitStatus = r.NullableInt(7),
        Body = r.NullableString(8),
        BodyTruncated = r.Flag(9),
        ReportedAt = r.NullableInstant(10),
    };

    /// <summary>The columns <see cref="ReadOutbox"/> reads, in its order.</summary>
    internal const string OutboxColumns =
        "id, notification_id, receiver, notification, created_at, attempts, next_attempt_at, last_error, seq, group_key, group_wait_ms, group_interval_ms, digest";

    internal static OutboxEntry ReadOutbox(SqliteDataReader r) => new()
    {
        Id = r.GuidText(0),
        NotificationId = r.GuidText(1),
        Receiver = r.GetString(2),
        Notification = StoreJson.ReadNotification(r.GetString(3)),
        CreatedAt = r.Instant(4),
        Attempts = r.GetInt32(5),
        NextAttemptAt = r.Instant(6),
        LastError = r.NullableString(7),
        Sequence = r.GetInt64(8),
        Group = new DeliveryGroup(r.GetString(9), TimeSpan.FromMilliseconds(r.GetInt64(10)), TimeSpan.FromMilliseconds(r.GetInt64(11))),
        Digest = r.NullableString(12),
    };

    /// <summary>A document that does not parse is named by its check, so the operator knows which row to look at.</summary>
    private T ReadDocument<T>(SqliteDataReader reader, int nameOrdinal, int documentOrdinal, Func<string, T> read)
    {
        try
        {
            return read(reader.GetString(documentOrdinal));
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new StoreUnavailableException(
                $"{Describe()}: the stored {reader.GetName(documentOrdinal)} of check '{reader.GetString(nameOrdinal)}' cannot be read ({ex.Message}); restore a backup or fix the row",
                ex);
        }
    }

    private async Task<List<T>> QueryAsync<T>(string sql, Func<SqliteDataReader, T> read, CancellationToken ct,
        params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenReaderAsync(ct).ConfigureAwait(false);
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken ct)
    {
        // Reads before OpenAsync would find no schema, or no file: the same mistake as writing before it.
        _ = Writer();
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            await connection.OpenAsync(ct).ConfigureAwait(false);
            Configure(connection, writer: false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
