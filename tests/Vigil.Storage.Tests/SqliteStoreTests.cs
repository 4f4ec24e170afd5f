using Microsoft.Data.Sqlite;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Persistence;
using Vigil.Storage.Sqlite;
using Vigil.Testing;
using static Vigil.Storage.Tests.StoreSamples;

namespace Vigil.Storage.Tests;

/// <summary>The contract on a real SQLite file in a temporary directory, plus what only SQLite has: a file
/// that can be missing, unwritable, foreign or too new.</summary>
public sealed class SqliteStoreTests : StoreContractTests
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vigil-sqlite-").FullName;

    private string DbPath => Path.Combine(_dir, "data", "vigil.db");

    protected override IVigilStore CreateStore() => new SqliteStore(DbPath, Time);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Open_MissingDirectory_CreatesItWithSchemaInWalMode()
    {
        var store = await OpenStoreAsync();

        Assert.True(File.Exists(DbPath));
        Assert.Equal($"SQLite at {DbPath}", store.Describe());
        Assert.Equal(new StoreCapabilities("sqlite", SkipLocked: false, AdvisoryLocks: false, SingleNode: true), store.Capabilities);
        using var connection = Raw();
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode;"));
        Assert.Equal(SqliteMigrations.Latest, Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), null));
        Assert.Equal(
            ["alert_intake", "api_keys", "audit", "breakers", "checks", "events", "gates", "meta", "notifications", "outbox", "runs", "silences"],
            Column(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;"));
    }

    [Fact]
    public async Task Open_DirectoryUnderARegularFile_ThrowsNamingThePath()
    {
        var blocker = Path.Combine(_dir, "not-a-dir");
        await File.WriteAllTextAsync(blocker, "I am a file");
        var path = Path.Combine(blocker, "vigil.db");
        await using var store = new SqliteStore(path, Time);

        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.OpenAsync(Ct));

        Assert.StartsWith($"cannot open the SQLite store at {path}: the directory {blocker} cannot be created", ex.Message);
    }

    [Fact]
    public async Task Open_FileThatIsNotADatabase_ThrowsNamingThePath()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DbPath)!);
        await File.WriteAllTextAsync(DbPath, new string('x', 4096));
        await using var store = new SqliteStore(DbPath, Time);

        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.OpenAsync(Ct));

        Assert.Equal($"cannot open the SQLite store at {DbPath}: the file is not a SQLite database; move it aside or point storage.sqlite at another path", ex.Message);
    }

    [Fact]
    public async Task Open_PathThatIsADirectory_ThrowsNamingThePath()
    {
        Directory.CreateDirectory(DbPath);
        await using var store = new SqliteStore(DbPath, Time);

        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.OpenAsync(Ct));

        Assert.Contains($"{DbPath} is a directory", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_SchemaNewerThanThisBuild_ThrowsAndLeavesTheFileAlone()
    {
        var first = await OpenStoreAsync();
        await first.DisposeAsync();
        using (var connection = Raw())
        {
            Scalar(connection, "PRAGMA user_version = 99;");
        }

        await using var store = new SqliteStore(DbPath, Time);
        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.OpenAsync(Ct));

        Assert.Contains($"at {DbPath}: its schema is version 99, newer than the version {SqliteMigrations.Latest}", ex.Message, StringComparison.Ordinal);
        using var after = Raw();
        Assert.Equal(99L, Scalar(after, "PRAGMA user_version;"));
    }

    [Fact]
    public async Task Commit_Notifications_AreKeptEvenWithoutAReceiver()
    {
        var store = await OpenStoreAsync();
        var lonely = Notification(null, T0);
        var routed = Notification("job", T0.AddSeconds(1));
        var changes = new Changes();
        changes.Notifications.AddRange([lonely, routed]);
        changes.Outbox.Add(Outbox(routed, "ops", T0, T0));

        await store.CommitAsync(changes, Ct);

        using var connection = Raw();
        Assert.Equal(
            [lonely.Id.ToString(), routed.Id.ToString()],
            Column(connection, "SELECT id FROM notifications ORDER BY at;"));
        Assert.Equal(1L, Scalar(connection, "SELECT count(*) FROM notifications WHERE check_name IS NULL;"));
    }

    [Fact]
    public async Task Open_Version1Outbox_IsBackfilledInItsOrderWithChecksAndDeliveredRowsSettled()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DbPath)!);
        var (job, vigil) = (Notification("job", T0), Notification(null, T0));
        using (var v1 = Raw())
        {
            SqliteMigrations.Apply(v1, DbPath, target: 1);
            foreach (var n in new[] { job, vigil })
            {
                Execute(v1, $"INSERT INTO notifications VALUES ('{n.Id}', {(n.Check is null ? "NULL" : $"'{n.Check}'")}, 'down', 'firing', '2026-03-29T00:30:15.0000000Z', '{StoreJson.Serialize(n)}');");
            }

            // Inserted in this order: a delivered row, then two pending rows of one check, then one of no check.
            Execute(v1, $"INSERT INTO outbox (id, notification_id, receiver, notification, created_at, next_attempt_at, delivered_at) VALUES ('{Guid.NewGuid()}', '{job.Id}', 'ops', '{StoreJson.Serialize(job)}', '2026-03-29T00:30:15.0000000Z', '2026-03-29T00:30:15.0000000Z', '2026-03-29T00:30:16.0000000Z');");
            foreach (var id in new[] { "00000000-0000-0000-0000-00000000000b", "00000000-0000-0000-0000-00000000000a" })
            {
                Execute(v1, $"INSERT INTO outbox (id, notification_id, receiver, notification, created_at, next_attempt_at) VALUES ('{id}', '{job.Id}', 'ops', '{StoreJson.Serialize(job)}', '2026-03-29T00:30:15.0000000Z', '2026-03-29T00:30:15.0000000Z');");
            }

            Execute(v1, $"INSERT INTO outbox (id, notification_id, receiver, notification, created_at, next_attempt_at) VALUES ('{Guid.NewGuid()}', '{vigil.Id}', 'ops', '{StoreJson.Serialize(vigil)}', '2026-03-29T00:30:15.0000000Z', '2026-03-29T00:30:15.0000000Z');");
        }

        SqliteConnection.ClearAllPools();
        var store = await OpenStoreAsync();

        Assert.Equal(3, (await store.GetOutboxStatsAsync(Ct)).Pending);
        var claim = await store.ClaimOutboxAsync("ops", "A", T0, T0.AddMinutes(1), 10, Ct);
        Assert.Equal(["job", ""], claim.Entries.Select(e => e.CheckKey));
        Assert.Equal(Guid.Parse("00000000-0000-0000-0000-00000000000b"), claim.Entries[0].Id);
        using var connection = Raw();
        Assert.Equal(["delivered", "pending", "pending", "pending"], Column(connection, "SELECT status FROM outbox ORDER BY seq;"));
        Assert.Equal(["job", "job", "job", ""], Column(connection, "SELECT check_key FROM outbox ORDER BY seq;"));
    }

    [Fact]
    public async Task Commit_StoresInstantsAsSortableUtcText()
    {
        var store = await OpenStoreAsync();
        var changes = new Changes();
        changes.Events.Add(Event("job", new DateTimeOffset(2026, 3, 29, 4, 0, 0, 500, TimeSpan.FromHours(2))));

        await store.CommitAsync(changes, Ct);

        using var connection = Raw();
        Assert.Equal("2026-03-29T02:00:00.5000000Z", Scalar(connection, "SELECT at FROM events;"));
    }

    [Fact]
    public async Task Checkpoint_CopiesWritesIntoTheDatabaseFile_SoonAfterTheWrite()
    {
        var store = await OpenStoreAsync();
        var before = new FileInfo(DbPath).Length;
        var changes = new Changes();
        for (var i = 0; i < 200; i++)
        {
            changes.Events.Add(Event($"job-{i}", T0) with { Reason = new string('x', 500) });
        }

        await store.CommitAsync(changes, Ct);
        Assert.Equal(before, new FileInfo(DbPath).Length);

        // The pages reach the database file only through a checkpoint (the commit wrote them to the WAL), and
        // nothing but the clock moves on. Step by step: the checkpointer's delay may start after any one step.
        await Poll.UntilAsync(
            () =>
            {
                Time.Advance(SqliteStore.CheckpointDelay);
                return new FileInfo(DbPath).Length > before;
            },
            "a checkpoint");

        Assert.True(new FileInfo(DbPath).Length > before + (200 * 500), $"the database file is still {new FileInfo(DbPath).Length} bytes");
    }

    [Fact]
    public async Task Operations_BeforeOpen_SayTheStoreIsNotOpen()
    {
        await using var store = new SqliteStore(DbPath, Time);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => store.CommitAsync(new Changes { AliveAt = T0 }, Ct));
        Assert.Contains("not open", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.LoadAsync(Ct));
    }

    private SqliteConnection Raw()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static List<string> Column(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
