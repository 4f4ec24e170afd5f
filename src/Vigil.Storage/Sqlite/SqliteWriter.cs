using Microsoft.Data.Sqlite;
using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Security;

namespace Vigil.Storage.Sqlite;

/// <summary>
/// The store's single write connection and its prepared statements. Not thread-safe: <see cref="SqliteStore"/>
/// lets one caller in at a time. Statements are prepared once and rebound per row (see <see cref="RawStatement"/>),
/// because a batch of hundreds of pings is hundreds of rows on the durable-ping path.
/// </summary>
internal sealed partial class SqliteWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly TimeProvider _time;
    private readonly List<RawStatement> _all = [];

    // Definitions already in the checks table, by name. A batch touches a check's state on every ping but its
    // definition only when an operator changes it; definitions are immutable records the evaluator keeps, so
    // the same instance means the row already holds this definition and only the state needs writing.
    private readonly Dictionary<string, CheckDefinition> _written = new(StringComparer.Ordinal);

    private readonly RawStatement _deleteCheck;
    private readonly RawStatement _upsertCheck;
    private readonly RawStatement _updateState;
    private readonly RawStatement _insertEvent;
    private readonly RawStatement _upsertRun;
    private readonly RawStatement _insertNotification;
    private readonly RawStatement _insertOutbox;
    private readonly RawStatement _setMeta;
    private readonly RawStatement _upsertSilence;
    private readonly RawStatement _markDelivered;
    private readonly RawStatement _markFailed;
    private readonly RawStatement _upsertKey;
    private readonly RawStatement _revokeKey;

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
            "$state", "$updated_at", "$name");
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
        _upsertSilence = Prepare(
            "INSERT INTO silences (id, until, silence) VALUES ($id, $until, $silence) ON CONFLICT (id) DO UPDATE SET until = excluded.until, silence = excluded.silence;",
            "$id", "$until", "$silence");
        _setMeta = Prepare(
            "INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value;",
            "$key", "$value");
        _markDelivered = Prepare("UPDATE outbox SET delivered_at = $at WHERE id = $id;", "$at", "$id");
        _markFailed = Prepare(
            "UPDATE outbox SET attempts = $attempts, next_attempt_at = $next, last_error = $error WHERE id = $id;",
            "$attempts", "$next", "$error", "$id");
        _upsertKey = Prepare(
            """
            INSERT INTO api_keys (name, scope, sha256, created_at, revoked_at, from_config)
            VALUES ($name, $scope, $sha256, $created_at, $revoked_at, $from_config)
            ON CONFLICT (name) DO UPDATE SET scope = excluded.scope, sha256 = excluded.sha256,
                created_at = excluded.created_at, revoked_at = excluded.revoked_at, from_config = excluded.from_config;
            """,
            "$name", "$scope", "$sha256", "$created_at", "$revoked_at", "$from_config");

        // Revoking twice keeps the first instant: that is when the key stopped working.
        _revokeKey = Prepare("UPDATE api_keys SET revoked_at = coalesce(revoked_at, $at) WHERE name = $name;", "$at", "$name");
    }

    public const string LastAliveKey = "last_alive_at";

    /// <summary>The highest fencing token ever issued, kept across deletes of checks.</summary>
    public const string FencingHighWaterKey = "fencing_high_water";

    public void Commit(Changes changes)
    {
        var now = SqliteTime.ToText(_time.GetUtcNow());
        var eventIds = new long[changes.Events.Count];
        var written = new List<CheckDefinition>(changes.Checks.Count);
        using (var transaction = Begin())
        {
            try
            {
                WriteBatch(changes, now, eventIds, written);
                transaction.Commit();
            }
            catch
            {
                Abandon();
                throw;
            }
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

    public bool MarkDelivered(Guid id, DateTimeOffset at) => Alone(() => _markDelivered.Instant(at).Id(id).Execute()) > 0;

    public bool MarkFailed(Guid id, int attempts, DateTimeOffset next, string error) =>
        Alone(() => _markFailed.Int(attempts).Instant(next).Text(error).Id(id).Execute()) > 0;

    public void SaveKey(ApiKey key) =>
        Alone(() => _upsertKey.Text(key.Name).Text(ScopeText.Of(key.Scope)).Text(key.Sha256).Instant(key.CreatedAt)
            .Instant(key.RevokedAt).Flag(key.FromConfig).Execute());

    public bool RevokeKey(string name, DateTimeOffset at) => Alone(() => _revokeKey.Instant(at).Text(name).Execute()) > 0;

    public void Dispose()
    {
        foreach (var statement in _all)
        {
            statement.Dispose();
        }

        _connection.Dispose();
    }

    private void WriteBatch(Changes changes, string now, long[] eventIds, List<CheckDefinition> written)
    {
        // Deletes first: a batch may delete one check and create another that reuses its uuid.
        foreach (var name in changes.DeletedChecks)
        {
            _deleteCheck.Text(name).Execute();
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
            _insertNotification.Id(notification.Id).Text(notification.Check).Text(notification.Alert).Text(notification.State)
                .Instant(notification.At).Text(StoreJson.Serialize(notification)).Execute();
        }

        foreach (var entry in changes.Outbox)
        {
            _insertOutbox.Id(entry.Id).Id(entry.NotificationId).Text(entry.Receiver).Text(StoreJson.Serialize(entry.Notification))
                .Instant(entry.CreatedAt).Int(entry.Attempts).Instant(entry.NextAttemptAt).Text(entry.LastError).Execute();
        }

        foreach (var silence in changes.Silences)
        {
            _upsertSilence.Id(silence.Id).Instant(silence.Until).Text(StoreJson.Serialize(silence)).Execute();
        }

        WriteIntake(changes);

        if (changes.AliveAt is { } alive)
        {
            _setMeta.Text(LastAliveKey).Instant(alive).Execute();
        }

        if (changes.FencingHighWater is { } fencing)
        {
            _setMeta.Text(FencingHighWaterKey).Text(fencing.ToString(System.Globalization.CultureInfo.InvariantCulture)).Execute();
        }
    }

    /// <summary>Writes a check; true when its definition was written too (and so may be remembered).</summary>
    private bool WriteCheck(CheckDefinition definition, CheckState state, string now)
    {
        var stateJson = StoreJson.Serialize(state);
        if (_written.TryGetValue(definition.Name, out var known) && ReferenceEquals(known, definition)
            && _updateState.Text(stateJson).Text(now).Text(definition.Name).Execute() == 1)
        {
            return false;
        }

        _upsertCheck.Text(definition.Name).Id(definition.Uuid).Text(StoreJson.Serialize(definition)).Text(stateJson)
            .Text(definition.ManagedBy.Text()).Text(now).Execute();
        return true;
    }

    private long InsertEvent(CheckEvent e) =>
        _insertEvent.Text(e.Check).Instant(e.At).Text(e.Type).Text(e.Reason).Id(e.Rid).Instant(e.DataTs).Int(e.ExitStatus)
            .Text(e.Body).Flag(e.BodyTruncated).Instant(e.ReportedAt).ExecuteInt64();

    private void UpsertRun(RunRecord run) =>
        _upsertRun.Text(run.Check).Id(run.Rid).Instant(run.StartedAt).Instant(run.EndedAt).Text(run.Outcome).Int(run.ExitCode)
            .Real(run.DurationSeconds).Text(run.Holder).Text(run.Message).Text(run.Log).Flag(run.LogTruncated).Execute();

    /// <summary>One statement in its own transaction, for the writes that come alone (outbox marks, keys).</summary>
    private int Alone(Func<int> execute)
    {
        using var transaction = Begin();
        try
        {
            var rows = execute();
            transaction.Commit();
            return rows;
        }
        catch
        {
            Abandon();
            throw;
        }
    }

    /// <summary>After a failure part-way through binding a statement, its next use starts clean.</summary>
    private void Abandon()
    {
        foreach (var statement in _all)
        {
            statement.Abandon();
        }
    }

    // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default): the write lock is taken up front, so a batch never
    // fails half-way for want of it.
    private SqliteTransaction Begin() => _connection.BeginTransaction();

    private RawStatement Prepare(string sql, params string[] parameters)
    {
        var statement = new RawStatement(_connection, sql, parameters);
        _all.Add(statement);
        return statement;
    }
}
