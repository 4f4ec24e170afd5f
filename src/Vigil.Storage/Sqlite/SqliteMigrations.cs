using System.Globalization;
using Microsoft.Data.Sqlite;
using Vigil.Domain.Persistence;

namespace Vigil.Storage.Sqlite;

/// <summary>
/// The numbered schema steps of the SQLite store. Step N brings a database from version N-1 to N; the version
/// is SQLite's <c>user_version</c> header field, written in the same transaction as the steps, so a crash
/// mid-migration leaves the old version and the old schema. Steps never use <c>IF NOT EXISTS</c>: a step that
/// ran twice must fail loudly rather than hide a version bookkeeping bug. Append new steps; never edit one
/// that has shipped.
/// </summary>
internal static class SqliteMigrations
{
    private static readonly string[] Steps =
    [
        // 1: the initial schema. STRICT tables reject a value of the wrong type instead of storing it.
        """
        CREATE TABLE checks (
            name       TEXT NOT NULL PRIMARY KEY,
            uuid       TEXT NOT NULL UNIQUE,
            definition TEXT NOT NULL,
            state      TEXT NOT NULL,
            managed_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE events (
            id             INTEGER PRIMARY KEY AUTOINCREMENT,
            check_name     TEXT NOT NULL,
            at             TEXT NOT NULL,
            type           TEXT NOT NULL,
            reason         TEXT NOT NULL,
            rid            TEXT,
            data_ts        TEXT,
            exit_status    INTEGER,
            body           TEXT,
            body_truncated INTEGER NOT NULL DEFAULT 0,
            reported_at    TEXT
        ) STRICT;
        CREATE INDEX ix_events_check_id ON events (check_name, id);

        CREATE TABLE runs (
            check_name    TEXT NOT NULL,
            rid           TEXT NOT NULL,
            started_at    TEXT,
            ended_at      TEXT,
            outcome       TEXT,
            exit_code     INTEGER,
            duration_s    REAL,
            holder        TEXT,
            message       TEXT,
            log           TEXT,
            log_truncated INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (check_name, rid)
        ) STRICT;
        CREATE INDEX ix_runs_check_time ON runs (check_name, coalesce(started_at, ended_at));

        CREATE TABLE notifications (
            id           TEXT NOT NULL PRIMARY KEY,
            check_name   TEXT,
            alert        TEXT NOT NULL,
            state        TEXT NOT NULL,
            at           TEXT NOT NULL,
            notification TEXT NOT NULL
        ) STRICT;

        CREATE TABLE outbox (
            id              TEXT NOT NULL PRIMARY KEY,
            notification_id TEXT NOT NULL,
            receiver        TEXT NOT NULL,
            notification    TEXT NOT NULL,
            created_at      TEXT NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error      TEXT,
            delivered_at    TEXT
        ) STRICT;
        CREATE INDEX ix_outbox_pending ON outbox (next_attempt_at) WHERE delivered_at IS NULL;

        CREATE TABLE api_keys (
            name        TEXT NOT NULL PRIMARY KEY,
            scope       TEXT NOT NULL,
            sha256      TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            revoked_at  TEXT,
            from_config INTEGER NOT NULL DEFAULT 0
        ) STRICT;

        CREATE TABLE meta (
            key   TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL
        ) STRICT;
        """,

        // 2: silences made through the API: the document, and when it stops muting (for loading the live ones).
        """
        CREATE TABLE silences (
            id      TEXT NOT NULL PRIMARY KEY,
            until   TEXT NOT NULL,
            silence TEXT NOT NULL
        ) STRICT;
        CREATE INDEX ix_silences_until ON silences (until);
        """,

        // 3: delivery lanes. Rows of one receiver and check are delivered in order (seq), claimed atomically by
        // one dispatcher at a time (claimed_by until claimed_until), and may be abandoned (status) when their
        // receiver is removed. Existing rows keep their insertion order (rowid) and take their check from the
        // notification they carry.
        """
        ALTER TABLE outbox ADD COLUMN seq INTEGER;
        ALTER TABLE outbox ADD COLUMN check_key TEXT NOT NULL DEFAULT '';
        ALTER TABLE outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'pending';
        ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
        ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
        ALTER TABLE outbox ADD COLUMN abandoned_at TEXT;
        ALTER TABLE outbox ADD COLUMN abandoned_reason TEXT;
        UPDATE outbox SET
            seq = rowid,
            check_key = coalesce(
                (SELECT n.check_name FROM notifications AS n WHERE n.id = outbox.notification_id),
                json_extract(outbox.notification, '$.check'),
                ''),
            status = CASE WHEN delivered_at IS NULL THEN 'pending' ELSE 'delivered' END;
        DROP INDEX ix_outbox_pending;
        CREATE UNIQUE INDEX ix_outbox_seq ON outbox (seq);
        CREATE INDEX ix_outbox_pending ON outbox (next_attempt_at) WHERE status = 'pending';
        CREATE INDEX ix_outbox_lane ON outbox (receiver, check_key, seq) WHERE status = 'pending';
        """,

        // 4: shared circuit breakers and gates (definition and state documents, as checks), and the audit log.
        """
        CREATE TABLE breakers (
            name       TEXT NOT NULL PRIMARY KEY,
            definition TEXT NOT NULL,
            state      TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE gates (
            name       TEXT NOT NULL PRIMARY KEY,
            definition TEXT NOT NULL,
            state      TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE audit (
            id       INTEGER PRIMARY KEY AUTOINCREMENT,
            at       TEXT NOT NULL,
            key_name TEXT NOT NULL,
            action   TEXT NOT NULL,
            target   TEXT NOT NULL,
            reason   TEXT NOT NULL
        ) STRICT;
        CREATE INDEX ix_audit_at ON audit (at);
        """,

        // 5: failover: which receiver delivered a row when its own receiver kept failing (NULL: its own); the
        // deliveries of one check, newest first, for the API.
        """
        ALTER TABLE outbox ADD COLUMN delivered_via TEXT;
        CREATE INDEX ix_outbox_check ON outbox (check_key, seq);
        """,

        // 6: alert intake (Alertmanager in): an alert state or Idempotency-Key already accepted, so a retried delivery
        // makes no second notification; kept until expires_at. held: a notification a silence holds back (owed).
        """
        CREATE TABLE alert_intake (
            key        TEXT NOT NULL PRIMARY KEY,
            first_seen TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            digest     TEXT,
            held       TEXT
        ) STRICT;
        """,

        // 7: grouping: the group a row joins at its receiver (its route) with that route's timing, and the digest (a
        // message of several rows, with one idempotency key) a row was sent in, fixed before the first attempt so a
        // retry, even after a restart, sends the same rows under the same key.
        """
        ALTER TABLE outbox ADD COLUMN group_key TEXT NOT NULL DEFAULT '';
        ALTER TABLE outbox ADD COLUMN group_wait_ms INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE outbox ADD COLUMN group_interval_ms INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE outbox ADD COLUMN digest TEXT;
        CREATE INDEX ix_outbox_digest ON outbox (digest) WHERE digest IS NOT NULL;
        """,

        // 8: a receiver's pending rows in outbox order, so a claim walks them from the oldest and stops at its limit
        // instead of reading and sorting the receiver's whole backlog (a storm of thousands made every claim, and
        // the pings waiting on the same write lock, slower).
        """
        CREATE INDEX ix_outbox_receiver ON outbox (receiver, seq) WHERE status = 'pending';
        """,
    ];

    /// <summary>The schema version this build writes and understands.</summary>
    public static int Latest => Steps.Length;

    /// <summary>Brings the database to <see cref="Latest"/>; returns the version it found.</summary>
    public static int Apply(SqliteConnection connection, string path) => Apply(connection, path, Latest);

    /// <summary>Brings the database to <paramref name="target"/> (tests build older schemas with it to migrate them).</summary>
    internal static int Apply(SqliteConnection connection, string path, int target)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(target, Latest);
        // BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default): two processes opening a new file at once migrate
        // one after the other, and the second sees the first one's version.
        using var transaction = connection.BeginTransaction();
        var found = UserVersion(connection, transaction);
        if (found > Latest)
        {
            throw new StoreUnavailableException(
                $"cannot open the SQLite store at {path}: its schema is version {found}, newer than the version {Latest} " +
                "this build of Vigil knows; run the newer Vigil that wrote it, or restore a backup taken before the upgrade");
        }

        for (var version = found + 1; version <= target; version++)
        {
            Execute(connection, transaction, Steps[version - 1]);
        }

        if (found < target)
        {
            // PRAGMA takes no parameters; the value is our own integer.
            Execute(connection, transaction, string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {target};"));
        }

        transaction.Commit();
        return found;
    }

    public static int UserVersion(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
