using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;
using Vigil.Testing;

namespace Vigil.Probes.Tests;

/// <summary>The options scanner's cache: "database not updating &gt; 15 min" and "watchlist empty".</summary>
public sealed class SqliteProbeTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _db;

    public SqliteProbeTests()
    {
        _db = _dir.Combine("market_cache.db");
        using var c = new SqliteConnection($"Data Source={_db};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            CREATE TABLE cache_metadata (key TEXT PRIMARY KEY, updated_at TEXT);
            CREATE TABLE watchlist (symbol TEXT);
            INSERT INTO watchlist VALUES ('SPY'), ('QQQ');
            """;
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _dir.Dispose();

    private void Execute(string sql)
    {
        using var c = new SqliteConnection($"Data Source={_db};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private string Hash() => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(_db)));

    private SqlProbeDefinition Freshness => new()
    {
        Sqlite = _db,
        Query = "SELECT max(updated_at) FROM cache_metadata WHERE key = 'watchlist'",
        Value = ValueKind.Timestamp,
    };

    [Theory]
    [InlineData(5, Level.Ok)]
    [InlineData(12, Level.Warning)]
    [InlineData(16, Level.Critical)]
    public async Task The_database_not_updating_for_more_than_15_minutes_is_critical(int minutesOld, Level expected)
    {
        Execute($"INSERT INTO cache_metadata VALUES ('watchlist', '{Probe.Now.AddMinutes(-minutesOld):yyyy-MM-dd'T'HH:mm:ss'Z'}')");
        var hash = Hash();

        var m = await Probe.MeasureAsync(Freshness, Probe.Rules("age > 10m", "age > 15m"));

        Probe.Is(expected, m);
        Assert.Equal(minutesOld * 60d, m.Quantities[Quantity.Age]);
        Assert.Equal(1, m.Quantities[Quantity.Rows]);
        Assert.StartsWith($"the value of the query on {_db} is {minutesOld}m old", m.Reason, StringComparison.Ordinal);
        Assert.Equal(hash, Hash());
    }

    [Fact]
    public async Task An_empty_watchlist_is_critical_by_its_row_count()
    {
        var rows = new SqlProbeDefinition { Sqlite = _db, Query = "SELECT symbol FROM watchlist", Value = ValueKind.Rows };
        var rules = Probe.Rules(criticalIf: "rows == 0");

        var full = await Probe.MeasureAsync(rows, rules);
        Execute("DELETE FROM watchlist");
        var empty = await Probe.MeasureAsync(rows, rules);

        Probe.Is(Level.Ok, full);
        Assert.Equal(2, full.Quantities[Quantity.Rows]);
        Probe.Is(Level.Critical, empty);
        Assert.Equal($"the query on {_db} returned 0 rows (critical if rows == 0)", empty.Reason);
    }

    [Fact]
    public async Task No_rows_or_a_null_value_or_a_naive_timestamp_is_unmeasurable()
    {
        var none = await Probe.MeasureAsync(Freshness with { Query = "SELECT updated_at FROM cache_metadata" }, Probe.Rules("age > 10m"));
        var nullValue = await Probe.MeasureAsync(Freshness, Probe.Rules("age > 10m"));
        Execute("INSERT INTO cache_metadata VALUES ('watchlist', '2026-03-10 11:55:00')");
        var naive = await Probe.MeasureAsync(Freshness, Probe.Rules("age > 10m"));

        Probe.Unmeasurable(none, "returned no rows");
        Probe.Unmeasurable(nullValue, "is null");
        Probe.Unmeasurable(naive, "has no UTC offset");
    }

    [Fact]
    public async Task A_query_that_writes_is_refused_and_the_file_is_unchanged()
    {
        var hash = Hash();

        var m = await Probe.MeasureAsync(new SqlProbeDefinition { Sqlite = _db, Query = "DELETE FROM watchlist RETURNING symbol", Value = ValueKind.Rows });

        Probe.Unmeasurable(m, "readonly");
        Assert.Equal(hash, Hash());
        Assert.Equal(["market_cache.db"], Directory.EnumerateFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_missing_database_is_unmeasurable_and_not_created()
    {
        var path = _dir.Combine("missing.db");

        var m = await Probe.MeasureAsync(new SqlProbeDefinition { Sqlite = path, Query = "SELECT 1" });

        Probe.Unmeasurable(m, $"{path} does not exist");
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_query_running_past_the_timeout_is_interrupted_and_unmeasurable()
    {
        var slow = new SqlProbeDefinition
        {
            Sqlite = _db,
            // A recursive count that runs for minutes unless interrupted.
            Query = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
            Timeout = TimeSpan.FromMilliseconds(300),
        };
        var started = TimeProvider.System.GetTimestamp();

        var m = await Probe.MeasureAsync(slow, time: TimeProvider.System);

        Probe.Unmeasurable(m, "did not finish within 300ms (the probe's timeout)");
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(3));
    }
}
