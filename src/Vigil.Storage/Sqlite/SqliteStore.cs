using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;
using Vigil.Domain.Persistence;
using Vigil.Domain.Security;

namespace Vigil.Storage.Sqlite;

/// <summary>
/// The store in one SQLite file (WAL mode, <c>synchronous=FULL</c>: a committed batch survives a power cut).
/// <para>
/// Connections: one long-lived write connection, owned by a <see cref="SqliteWriter"/> with its prepared
/// statements, and short pooled connections for reads, which WAL lets run alongside the writer without
/// blocking it or being blocked. Every write, the evaluator's batches (delivery outcomes included) and the
/// dispatcher's claims alike, takes <see cref="_writeLock"/> and uses the one write connection. SQLite admits one
/// writer at a time anyway; queueing writers on an async semaphore in-process is fair and costs nothing, while a second
/// write connection would collide on the database lock and wait in SQLite's busy handler, which sleeps
/// in steps of milliseconds — a stall on the durable-ping path.
/// </para>
/// </summary>
public sealed partial class SqliteStore : IVigilStore
{
    /// <summary>How long a connection waits for a lock held by another process (say, a backup) before failing.
    /// The default value is 5 seconds.</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(5);

    // 64 MiB of page cache for the write connection.
    private const long WriterCacheKib = 64 * 1024;

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly string _writeConnectionString;
    private readonly string _readConnectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private SqliteWriter? _writer;
    private bool _disposed;
    private long _commits;
    private readonly CancellationTokenSource _stopCheckpoints = new();
    private Task _checkpointer = Task.CompletedTask;

    // Set by every write, taken by the checkpointer: an auto-reset signal, so an idle store never checkpoints.
    private readonly Channel<bool> _written = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>
    /// How long after a write the WAL is copied back into the database, off the acknowledged path; the writes of that
    /// span go in one checkpoint. Small and often on purpose: a checkpoint ends with an fsync of the database file, and
    /// the writer's own fsync queues behind it on the disk. With one checkpoint a second (a second's worth of pages
    /// each), commits on the development VM stalled for 25-50 ms once a second while 1,000 probe results a second
    /// were written, and the pings waiting on those commits made the p99 (bench/PROFILE.md, "Checkpoints"). The value
    /// is 20 milliseconds.
    /// </summary>
    public static readonly TimeSpan CheckpointDelay = TimeSpan.FromMilliseconds(20);

    // The writer checkpoints on its own only if the background checkpointer falls far behind (64 MiB of WAL):
    // a checkpoint on the commit path is what made some acknowledgements several times slower than others.
    private const int EmergencyAutoCheckpointPages = 16_384;

    public SqliteStore(string path, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(time);
        _path = Path.GetFullPath(path);
        _time = time;

        // The writer lives as long as the store, so it skips the pool; readers come and go, so they use it.
        // Readers may not create the file: if it vanished under a running server, say so rather than read an
        // empty new database.
        _writeConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString();
        _readConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = true,
        }.ToString();
    }

    public StoreCapabilities Capabilities { get; } = new("sqlite", SkipLocked: false, AdvisoryLocks: false, SingleNode: true);

    /// <summary>The full path of the database file.</summary>
    public string FilePath => _path;

    public string Describe() => $"SQLite at {_path}";

    public async Task OpenAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_writer is not null)
            {
                throw new InvalidOperationException($"{Describe()} is already open");
            }

            _writer = OpenWriter();
            _checkpointer = Task.Run(() => CheckpointAsync(_stopCheckpoints.Token), CancellationToken.None);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task CommitAsync(Changes changes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.IsEmpty)
        {
            return;
        }

        await WriteAsync(writer => writer.Commit(changes), ct).ConfigureAwait(false);
        Interlocked.Increment(ref _commits);
    }

    /// <summary>How many batches <see cref="CommitAsync"/> has made durable since the store was opened: each is one
    /// transaction (and one fsync). For diagnostics, and for tests that count transactions.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    public async Task<OutboxClaim> ClaimOutboxAsync(string receiver, string owner, DateTimeOffset now, DateTimeOffset until, int max, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(receiver);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var claim = OutboxClaim.Nothing;
        await WriteAsync(writer => claim = writer.Claim(receiver, owner, now, until, max), ct).ConfigureAwait(false);
        return claim;
    }

    public async Task<int> ReleaseAllOutboxClaimsAsync(CancellationToken ct)
    {
        var released = 0;
        await WriteAsync(writer => released = writer.ReleaseAllClaims(), ct).ConfigureAwait(false);
        return released;
    }

    public async Task<int> AssignDigestAsync(string owner, string digest, IReadOnlyList<Guid> rows, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentException.ThrowIfNullOrEmpty(digest);
        ArgumentNullException.ThrowIfNull(rows);
        var assigned = 0;
        await WriteAsync(writer => assigned = writer.AssignDigest(owner, digest, rows), ct).ConfigureAwait(false);
        return assigned;
    }

    public async Task<int> AbandonOutboxAsync(string receiver, DateTimeOffset at, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        var abandoned = 0;
        await WriteAsync(writer => abandoned = writer.AbandonOutbox(receiver, at, reason), ct).ConfigureAwait(false);
        return abandoned;
    }

    public Task SaveKeyAsync(ApiKey key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        return WriteAsync(writer => writer.SaveKey(key), ct);
    }

    public async Task<bool> RevokeKeyAsync(string name, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(name);
        var revoked = false;
        await WriteAsync(writer => revoked = writer.RevokeKey(name, at), ct).ConfigureAwait(false);
        return revoked;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _stopCheckpoints.CancelAsync().ConfigureAwait(false);
        await _checkpointer.ConfigureAwait(false);
        _stopCheckpoints.Dispose();

        // Wait for a batch in flight: closing the connection under it would turn a durable write into a failure.
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _writer?.Dispose();
            _writer = null;

            // Close idle pooled readers so the file is released (and the WAL checkpointed by the last one out).
            using var reader = new SqliteConnection(_readConnectionString);
            SqliteConnection.ClearPool(reader);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Copies committed WAL frames into the database from its own connection, <see cref="CheckpointDelay"/>
    /// after a write, so the writer's commits (and the pings waiting on them) never pay for it. PASSIVE never blocks
    /// the writer or readers.</summary>
    private async Task CheckpointAsync(CancellationToken ct)
    {
        try
        {
            using var connection = new SqliteConnection(_writeConnectionString);
            connection.Open();
            Configure(connection, writer: false);
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            while (true)
            {
                await _written.Reader.ReadAsync(ct).ConfigureAwait(false);
                await Task.Delay(CheckpointDelay, _time, ct).ConfigureAwait(false);
                try
                {
                    command.ExecuteNonQuery();
                }
                catch (SqliteException)
                {
                    // Busy or a passing I/O error: the WAL keeps everything, and the next round tries again even if
                    // nothing more is written; the writer's emergency threshold bounds the file if this keeps failing.
                    _written.Writer.TryWrite(true);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (SqliteException)
        {
            // Could not even open a second connection: the writer's own auto-checkpoint still bounds the WAL.
        }
    }

    private async Task WriteAsync(Action<SqliteWriter> write, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            write(Writer());
            _written.Writer.TryWrite(true);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private SqliteWriter Writer()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _writer ?? throw new InvalidOperationException($"{Describe()} is not open; call OpenAsync first");
    }

    private SqliteWriter OpenWriter()
    {
        var directory = Path.GetDirectoryName(_path)!;
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw SqliteOpenErrors.DirectoryFailed(_path, directory, ex);
        }

        var connection = new SqliteConnection(_writeConnectionString);
        try
        {
            connection.Open();
            Configure(connection, writer: true);
            SqliteMigrations.Apply(connection, _path);
            return new SqliteWriter(connection, _time);
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw SqliteOpenErrors.From(_path, ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Per-connection settings. journal_mode is a property of the file and sticks once set; the rest
    /// belong to each connection and are set on every open.</summary>
    private void Configure(SqliteConnection connection, bool writer)
    {
        using var command = connection.CreateCommand();
        var busyMs = (long)DefaultBusyTimeout.TotalMilliseconds;
        var cacheKib = 0L;
        if (writer)
        {
            // The writer keeps the hot pages of the checks, events and runs indexes in memory, so inserting
            // rows with random keys does not re-read pages from the file on every batch. Readers keep the default.
            cacheKib = WriterCacheKib;
            command.CommandText = "PRAGMA journal_mode = WAL;";
            var mode = command.ExecuteScalar() as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                // Without WAL, readers would block the writer and a durable ping would wait on a dashboard query.
                throw new StoreUnavailableException(
                    $"cannot open the SQLite store at {_path}: the file system refused write-ahead logging (journal mode stayed '{mode}'); put the data directory on a local disk");
            }
        }

        command.CommandText = FormattableString.Invariant(
            $"PRAGMA synchronous = FULL; PRAGMA busy_timeout = {busyMs}; PRAGMA foreign_keys = ON;");
        if (cacheKib > 0)
        {
            // A negative cache_size is a size in KiB rather than a number of pages.
            command.CommandText += FormattableString.Invariant($" PRAGMA cache_size = -{cacheKib}; PRAGMA wal_autocheckpoint = {EmergencyAutoCheckpointPages};");
        }

        command.ExecuteNonQuery();
    }
}
