using Microsoft.Data.Sqlite;
using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;
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
    private readonly RawStatement _markReleased;
    private readonly RawStatement _assignDigest;
    private readonly RawStatement _releaseAll;
    private readonly RawStatement _abandon;
    private readonly SqliteCommand _claim;
    private readonly SqliteCommand _nextClaimable;
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
        // seq is one more than the largest so far (an index lookup): the order of the outbox, in which one
        // receiver gets one check's notifications.
        _insertOutbox = Prepare(
            """
            INSERT INTO outbox (id, notification_id, receiver, notification, created_at, attempts, next_attempt_at, last_error, check_key,
                group_key, group_wait_ms, group_interval_ms, seq)
            VALUES ($id, $notification_id, $receiver, $notification, $created_at, $attempts, $next_attempt_at, $last_error, $check_key,
                $group_key, $group_wait_ms, $group_interval_ms, (SELECT coalesce(max(seq), 0) + 1 FROM outbox));
            """,
            "$id", "$notification_id", "$receiver", "$notification", "$created_at", "$attempts", "$next_attempt_at", "$last_error", "$check_key",
            "$group_key", "$group_wait_ms", "$group_interval_ms");
        _upsertSilence = Prepare(
            "INSERT INTO silences (id, until, silence) VALUES ($id, $until, $silence) ON CONFLICT (id) DO UPDATE SET until = excluded.until, silence = excluded.silence;",
            "$id", "$until", "$silence");
        _setMeta = Prepare(
            "INSERT INTO meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value;",
            "$key", "$value");
        // A delivery is a fact whoever holds the claim now (and even if the row was abandoned meanwhile); a failure
        // or a release only answers the caller's own claim, so it never undoes another dispatcher's.
        _markDelivered = Prepare(
            """
            UPDATE outbox SET status = 'delivered', delivered_at = $at, attempts = $attempts, claimed_by = NULL, claimed_until = NULL,
                delivered_via = $via, last_error = coalesce($error, last_error)
            WHERE id = $id AND status <> 'delivered';
            """,
            "$at", "$attempts", "$via", "$error", "$id");
        _markFailed = Prepare(
            """
            UPDATE outbox SET attempts = $attempts, next_attempt_at = $next, last_error = $error, claimed_by = NULL, claimed_until = NULL
            WHERE id = $id AND status = 'pending' AND claimed_by = $owner;
            """,
            "$attempts", "$next", "$error", "$id", "$owner");
        _markReleased = Prepare(
            "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE id = $id AND status = 'pending' AND claimed_by = $owner;",
            "$id", "$owner");
        _assignDigest = Prepare(
            "UPDATE outbox SET digest = $digest WHERE id = $id AND status = 'pending' AND claimed_by = $owner AND digest IS NULL;",
            "$digest", "$id", "$owner");
        _releaseAll = Prepare(
            "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE status = 'pending' AND claimed_by IS NOT NULL;");
        _abandon = Prepare(
            """
            UPDATE outbox SET status = 'abandoned', abandoned_at = $at, abandoned_reason = $reason, claimed_by = NULL, claimed_until = NULL
            WHERE receiver = $receiver AND status = 'pending';
            """,
            "$at", "$reason", "$receiver");

        // The head of a line: no earlier pending row for the same receiver and check. The literal status filters let
        // SQLite use the partial index ix_outbox_lane for both the rows and the head test.
        _claim = Command(
            $"""
            UPDATE outbox SET claimed_by = $owner, claimed_until = $until
            WHERE id IN (
                SELECT o.id FROM outbox AS o
                WHERE o.receiver = $receiver AND o.status = 'pending' AND o.next_attempt_at <= $now
                    AND (o.claimed_until IS NULL OR o.claimed_until <= $now)
                    AND {HeadOfLine}
                ORDER BY o.seq LIMIT $max)
            RETURNING {SqliteStore.OutboxColumns};
            """,
            "$owner", "$until", "$receiver", "$now", "$max");

        // When another claim could find work: the earliest head of a line whose retry falls due or whose claim runs out.
        _nextClaimable = Command(
            $"""
            SELECT min(CASE WHEN o.claimed_until > o.next_attempt_at THEN o.claimed_until ELSE o.next_attempt_at END)
            FROM outbox AS o
            WHERE o.receiver = $receiver AND o.status = 'pending' AND {HeadOfLine};
            """,
            "$receiver");
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

    /// <summary>The mode last chosen through the API; a restart keeps it unless VIGIL_MODE forces one.</summary>
    public const string ChosenModeKey = "mode";

    private const string HeadOfLine =
        """
        NOT EXISTS (SELECT 1 FROM outbox AS e
            WHERE e.receiver = o.receiver AND e.check_key = o.check_key AND e.status = 'pending' AND e.seq < o.seq)
        """;

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

    /// <summary>Claims due head-of-line rows of one receiver in one transaction (SQLite's single write lock makes it
    /// atomic against every other writer, in this process or another), and says when to look again.</summary>
    public OutboxClaim Claim(string receiver, string owner, DateTimeOffset now, DateTimeOffset until, int max)
    {
        var nowText = SqliteTime.ToText(now);
        using var transaction = Begin();
        try
        {
            var entries = new List<OutboxEntry>();
            _claim.Transaction = transaction;
            Bind(_claim, owner, SqliteTime.ToText(until), receiver, nowText, max);
            using (var reader = _claim.ExecuteReader())
            {
                while (reader.Read())
                {
                    entries.Add(SqliteStore.ReadOutbox(reader));
                }
            }

            // A full claim means more may be claimable at once; only a claim that took less than it could needs the
            // (backlog-wide) look for when work comes next.
            DateTimeOffset? next = now;
            if (entries.Count < max)
            {
                _nextClaimable.Transaction = transaction;
                Bind(_nextClaimable, receiver);
                next = _nextClaimable.ExecuteScalar() is string text ? SqliteTime.Parse(text) : null;
            }

            transaction.Commit();

            // RETURNING gives rows in no promised order; the lane hands them out in outbox order.
            entries.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
            return new OutboxClaim(entries, next);
        }
        catch
        {
            Abandon();
            throw;
        }
        finally
        {
            _claim.Transaction = null;
            _nextClaimable.Transaction = null;
        }
    }

    public int ReleaseAllClaims() => Alone(() => _releaseAll.Execute());

    /// <summary>Fixes the digest of rows the caller has claimed; returns how many took it.</summary>
    public int AssignDigest(string owner, string digest, IReadOnlyList<Guid> rows) =>
        Alone(() => rows.Sum(row => _assignDigest.Text(digest).Id(row).Text(owner).Execute()));

    public int AbandonOutbox(string receiver, DateTimeOffset at, string reason) =>
        Alone(() => _abandon.Instant(at).Text(reason).Text(receiver).Execute());

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

        _claim.Dispose();
        _nextClaimable.Dispose();
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
                .Instant(entry.CreatedAt).Int(entry.Attempts).Instant(entry.NextAttemptAt).Text(entry.LastError).Text(entry.CheckKey)
                .Text(entry.Group.Key).Int((long)entry.Group.Wait.TotalMilliseconds).Int((long)entry.Group.Interval.TotalMilliseconds).Execute();
        }

        foreach (var mark in changes.OutboxMarks)
        {
            _ = mark.Outcome switch
            {
                OutboxOutcome.Delivered => _markDelivered.Instant(mark.At).Int(mark.Attempts).Text(mark.Via).Text(mark.Via is null ? null : mark.Error).Id(mark.OutboxId).Execute(),
                OutboxOutcome.Failed => _markFailed.Int(mark.Attempts).Instant(mark.NextAttemptAt ?? mark.At).Text(mark.Error ?? "failed")
                    .Id(mark.OutboxId).Text(mark.Owner).Execute(),
                OutboxOutcome.Released => _markReleased.Id(mark.OutboxId).Text(mark.Owner).Execute(),
                _ => throw new ArgumentOutOfRangeException(nameof(changes), mark.Outcome, "unknown outbox outcome"),
            };
        }

        foreach (var silence in changes.Silences)
        {
            _upsertSilence.Id(silence.Id).Instant(silence.Until).Text(StoreJson.Serialize(silence)).Execute();
        }

        WritePolicies(changes, now);
        WriteIntake(changes);

        if (changes.AliveAt is { } alive)
        {
            _setMeta.Text(LastAliveKey).Instant(alive).Execute();
        }

        if (changes.FencingHighWater is { } fencing)
        {
            _setMeta.Text(FencingHighWaterKey).Text(fencing.ToString(System.Globalization.CultureInfo.InvariantCulture)).Execute();
        }

        if (changes.ChosenMode is { } mode)
        {
            _setMeta.Text(ChosenModeKey).Text(mode).Execute();
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

    /// <summary>One statement in its own transaction, for the writes that come alone (claims released or abandoned, keys).</summary>
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

    /// <summary>A statement that returns rows, through Microsoft.Data.Sqlite (rare, so its per-call overhead is fine).</summary>
    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }

    private static void Bind(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }
    }

    private RawStatement Prepare(string sql, params string[] parameters)
    {
        var statement = new RawStatement(_connection, sql, parameters);
        _all.Add(statement);
        return statement;
    }
}
