using Microsoft.Data.Sqlite;
using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Security;

namespace Vigil.Storage.Sqlite;

/// <summary>
/// The store's single write connection and its prepared statements. Not thread-safe: <see cref="SqliteStore"/>
/// lets one caller in at a time. Statements are prepared once and rebound per row, because a batch of
/// hundreds of pings is hundreds of rows and re-parsing SQL for each would cost more than the writes.
/// </summary>
internal sealed class SqliteWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time;
    private readonly List<SqliteCommand> _all = [];

    // Definitions already in the checks table, by name. A batch touches a check's state on every ping but its
    // definition only when an operator changes it; definitions are immutable records the evaluator keeps, so
    // the same instance means the row already holds this definition and only the state needs writing.
    private readonly Dictionary<string, CheckDefinition> _written = new(StringComparer.Ordinal);

    private readonly SqliteCommand _deleteCheck;
    private readonly SqliteCommand _upsertCheck;
    private readonly SqliteCommand _updateState;
    private readonly SqliteCommand _insertEvent;
    private readonly SqliteCommand _upsertRun;
    private readonly SqliteCommand _insertNotification;
    private readonly SqliteCommand _insertOutbox;
    private readonly SqliteCommand _setMeta;
    private readonly SqliteCommand _markDelivered;
    private readonly SqliteCommand _markFailed;
    private readonly SqliteCommand _upsertKey;
    private readonly SqliteCommand _revokeKey;

    public SqliteWriter(SqliteConnection connection, TimeProvider time)
    {
        _connection = connection;
        _time = time;
        _deleteCheck = Prepare("DELETE FROM checks WHERE name = $name;", "$name");
        _upsertCheck = Prepare(
            """
            INSERT INTO checks (name, uuid, definition, state, managed_by, updated_at)
            VALUES ($name, $uuid, $definition, $state, $managed_by, $updated_at)
            ON CONFLICT (name) DO UPDATE SET uuid = excluded.uuid, definition = excluded.definition,
                state = excluded.state, managed_by = excluded.managed_by, updated_at = excluded.updated_at;
            """,
            "$name", "$uuid", "$definition", "$state", "$managed_by", "$updated_at");
        _updateState = Prepare(
            "UPDATE checks SET state = $state, updated_at = $updated_at WHERE name = $name;",
            "$name", "$state", "$updated_at");
        _insertEvent = Prepare(
            """
            INSERT INTO events (check_name, at, type, reason, rid, data_ts, exit_status, body, body_truncated, reported_at)
            VALUES ($check, $at, $type, $reason, $rid, $data_ts, $exit_status, $body, $body_truncated, $reported_at)
            RETURNING id;
            """,
            "$check", "$at", "$type", "$reason", "$rid", "$data_ts", "$exit_status", "$body", "$body_truncated", "$reported_at");

        // A later record of the same run may know less than an earlier one (an end reported without its start,
        // a holder only the start knew): null means "not known here", never "erase", so every column merges.
        // The log and its truncation flag travel together.
        _upsertRun = Prepare(
            """
            INSERT INTO runs (check_name, rid, started_at, ended_at, outcome, exit_code, duration_s, holder, message, log, log_truncated)
            VALUES ($check, $rid, $started_at, $ended_at, $outcome, $exit_code, $duration_s, $holder, $message, $log, $log_truncated)
            ON CONFLICT (check_name, rid) DO UPDATE SET
                started_at = coalesce(excluded.started_at, runs.started_at),
                ended_at = coalesce(excluded.ended_at, runs.ended_at),
                outcome = coalesce(excluded.outcome, runs.outcome),
                exit_code = coalesce(excluded.exit_code, runs.exit_code),
                duration_s = coalesce(excluded.duration_s, runs.duration_s),
                holder = coalesce(excluded.holder, runs.holder),
                message = coalesce(excluded.message, runs.message),
                log_truncated = CASE WHEN excluded.log IS NULL THEN runs.log_truncated ELSE excluded.log_truncated END,
                log = coalesce(excluded.log, runs.log);
            """,
            "$check", "$rid", "$started_at", "$ended_at", "$outcome", "$exit_code", "$duration_s", "$holder", "$message", "$log", "$log_truncated");
        _insertNotification = Prepare(
            """
            INSERT INTO notifications (id, check_name, alert, state, at, notification)
            VALUES ($id, $check, $alert, $state, $at, $notification);
            """,
            "$id", "$check", "$alert", "$state", "$at", "$notification");
        _insertOutbox = Prepare(
            """
            INSERT INTO outbox (id, notification_id, receiver, notification, created_at, attempts, next_attempt_at, last_error)
            VALUES ($id, $notification_id, $receiver, $notification, $created_at, $attempts, $next_attempt_at, $last_error);
            """,
            "$id", "$notification_id", "$receiver", "$notification", "$created_at", "$attempts", "$next_attempt_at", "$last_error");
        _setMeta = Prepare(
            "INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value;",
            "$key", "$value");
        _markDelivered = Prepare("UPDATE outbox SET delivered_at = $at WHERE id = $id;", "$id", "$at");
        _markFailed = Prepare(
            "UPDATE outbox SET attempts = $attempts, next_attempt_at = $next, last_error = $error WHERE id = $id;",
            "$id", "$attempts", "$next", "$error");
        _upsertKey = Prepare(
            """
            INSERT INTO api_keys (name, scope, sha256, created_at, revoked_at, from_config)
            VALUES ($name, $scope, $sha256, $created_at, $revoked_at, $from_config)
            ON CONFLICT (name) DO UPDATE SET scope = excluded.scope, sha256 = excluded.sha256,
                created_at = excluded.created_at, revoked_at = excluded.revoked_at, from_config = excluded.from_config;
            """,
            "$name", "$scope", "$sha256", "$created_at", "$revoked_at", "$from_config");

        // Revoking twice keeps the first instant: that is when the key stopped working.
        _revokeKey = Prepare("UPDATE api_keys SET revoked_at = coalesce(revoked_at, $at) WHERE name = $name;", "$name", "$at");
    }

    public const string LastAliveKey = "last_alive_at";

    public void Commit(Changes changes)
    {
        var now = SqliteTime.ToText(_time.GetUtcNow());
        var eventIds = new long[changes.Events.Count];
        var written = new List<CheckDefinition>(changes.Checks.Count);
        using (var transaction = Begin())
        {
            // Deletes first: a batch may delete one check and create another that reuses its uuid.
            foreach (var name in changes.DeletedChecks)
            {
                Run(_deleteCheck, name);
            }

            foreach (var (definition, state) in changes.Checks.Values)
            {
                if (WriteCheck(definition, state, now))
                {
                    written.Add(definition);
                }
            }

            for (var i = 0; i < changes.Events.Count; i++)
            {
                eventIds[i] = InsertEvent(changes.Events[i]);
            }

            foreach (var run in changes.Runs.Values)
            {
                UpsertRun(run);
            }

            foreach (var notification in changes.Notifications)
            {
                Run(_insertNotification, SqliteValues.Text(notification.Id), SqliteValues.Db(notification.Check), notification.Alert,
                    notification.State, SqliteTime.ToText(notification.At), StoreJson.Serialize(notification));
            }

            foreach (var entry in changes.Outbox)
            {
                Run(_insertOutbox, SqliteValues.Text(entry.Id), SqliteValues.Text(entry.NotificationId), entry.Receiver,
                    StoreJson.Serialize(entry.Notification), SqliteTime.ToText(entry.CreatedAt), entry.Attempts,
                    SqliteTime.ToText(entry.NextAttemptAt), SqliteValues.Db(entry.LastError));
            }

            if (changes.AliveAt is { } alive)
            {
                Run(_setMeta, LastAliveKey, SqliteTime.ToText(alive));
            }

            transaction.Commit();
        }

        // Only what is durable is remembered or handed back: a failed batch leaves no trace in memory either.
        for (var i = 0; i < eventIds.Length; i++)
        {
            changes.Events[i].Id = eventIds[i];
        }

        foreach (var name in changes.DeletedChecks)
        {
            _written.Remove(name);
        }

        foreach (var definition in written)
        {
            _written[definition.Name] = definition;
        }
    }

    public bool MarkDelivered(Guid id, DateTimeOffset at) => RunAlone(_markDelivered, SqliteValues.Text(id), SqliteTime.ToText(at)) > 0;

    public bool MarkFailed(Guid id, int attempts, DateTimeOffset next, string error) =>
        RunAlone(_markFailed, SqliteValues.Text(id), attempts, SqliteTime.ToText(next), error) > 0;

    public void SaveKey(ApiKey key) =>
        RunAlone(_upsertKey, key.Name, ScopeText.Of(key.Scope), key.Sha256, SqliteTime.ToText(key.CreatedAt),
            SqliteTime.ToDb(key.RevokedAt), key.FromConfig);

    public bool RevokeKey(string name, DateTimeOffset at) => RunAlone(_revokeKey, name, SqliteTime.ToText(at)) > 0;

    public void Dispose()
    {
        foreach (var command in _all)
        {
            command.Dispose();
        }

        _connection.Dispose();
    }

    /// <summary>Writes a check; true when its definition was written too (and so may be remembered).</summary>
    private bool WriteCheck(CheckDefinition definition, CheckState state, string now)
    {
        var stateJson = StoreJson.Serialize(state);
        if (_written.TryGetValue(definition.Name, out var known) && ReferenceEquals(known, definition)
            && Run(_updateState, definition.Name, stateJson, now) == 1)
        {
            return false;
        }

        Run(_upsertCheck, definition.Name, SqliteValues.Text(definition.Uuid), StoreJson.Serialize(definition), stateJson,
            definition.ManagedBy.Text(), now);
        return true;
    }

    private long InsertEvent(CheckEvent e)
    {
        Bind(_insertEvent, e.Check, SqliteTime.ToText(e.At), e.Type, e.Reason, SqliteValues.Db(e.Rid), SqliteTime.ToDb(e.DataTs),
            SqliteValues.Db(e.ExitStatus), SqliteValues.Db(e.Body), e.BodyTruncated, SqliteTime.ToDb(e.ReportedAt));
        return (long)_insertEvent.ExecuteScalar()!;
    }

    private void UpsertRun(RunRecord run) =>
        Run(_upsertRun, run.Check, SqliteValues.Text(run.Rid), SqliteTime.ToDb(run.StartedAt), SqliteTime.ToDb(run.EndedAt),
            SqliteValues.Db(run.Outcome), SqliteValues.Db(run.ExitCode), SqliteValues.Db(run.DurationSeconds),
            SqliteValues.Db(run.Holder), SqliteValues.Db(run.Message), SqliteValues.Db(run.Log), run.LogTruncated);

    /// <summary>One statement in its own transaction, for the writes that come alone (outbox marks, keys).</summary>
    private int RunAlone(SqliteCommand command, params object[] values)
    {
        using var transaction = Begin();
        var rows = Run(command, values);
        transaction.Commit();
        return rows;
    }

    private SqliteTransaction Begin()
    {
        var transaction = _connection.BeginTransaction();
        foreach (var command in _all)
        {
            command.Transaction = transaction;
        }

        return transaction;
    }

    private static int Run(SqliteCommand command, params object[] values)
    {
        Bind(command, values);
        return command.ExecuteNonQuery();
    }

    private static void Bind(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        _all.Add(command);
        return command;
    }
}
