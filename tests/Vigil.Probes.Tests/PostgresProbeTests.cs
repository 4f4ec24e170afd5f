using Vigil.Domain.Checks;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;
using Vigil.Testing;

namespace Vigil.Probes.Tests;

public sealed class PostgresProbeTests(PostgresFixture pg) : IClassFixture<PostgresFixture>
{
    private SqlProbeDefinition Query(string sql, ValueKind value = ValueKind.Number) =>
        new() { Postgres = pg.Server.ConnectionString, Query = sql, Value = value };

    [Fact]
    public async Task A_timestamptz_gives_the_age_judged_by_the_conditions()
    {
        await pg.ExecuteAsync("DELETE FROM cache_metadata");
        await pg.ExecuteAsync("INSERT INTO cache_metadata (key, updated_at) VALUES ('watchlist', @at)", ("at", Probe.Now.AddMinutes(-16)));
        var rules = Probe.Rules("age > 10m", "age > 15m");

        var stale = await Probe.MeasureAsync(Query("SELECT max(updated_at) FROM cache_metadata", ValueKind.Timestamp), rules);
        var fresh = await Probe.MeasureAsync(Query("SELECT max(updated_at) FROM cache_metadata", ValueKind.Timestamp), rules, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Probe.Now.AddMinutes(-14)));

        Probe.Is(Level.Critical, stale);
        Assert.Equal(960, stale.Quantities[Quantity.Age]);
        Assert.Contains($"the query on PostgreSQL {pg.Server.Database}@127.0.0.1:{pg.Server.Port}", stale.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("Username", stale.Reason, StringComparison.Ordinal);
        Probe.Is(Level.Ok, fresh);
    }

    [Fact]
    public async Task A_timestamp_without_time_zone_is_unmeasurable()
    {
        await pg.ExecuteAsync("DELETE FROM cache_metadata");
        await pg.ExecuteAsync("INSERT INTO cache_metadata (key, updated_naive) VALUES ('watchlist', '2026-03-10 11:50:00')");

        var m = await Probe.MeasureAsync(Query("SELECT updated_naive FROM cache_metadata", ValueKind.Timestamp), Probe.Rules("age > 10m"));

        Probe.Unmeasurable(m, "without a time zone");
    }

    [Fact]
    public async Task Rows_and_numbers_are_read_and_an_empty_watchlist_is_critical()
    {
        var rows = await Probe.MeasureAsync(Query("SELECT symbol FROM watchlist", ValueKind.Rows), Probe.Rules(criticalIf: "rows == 0"));
        var count = await Probe.MeasureAsync(Query("SELECT count(*) FROM watchlist WHERE symbol = 'none'"), Probe.Rules(criticalIf: "value == 0"));
        var text = await Probe.MeasureAsync(Query("SELECT 'many'"), Probe.Rules("value > 1"));

        Probe.Is(Level.Ok, rows);
        Assert.Equal(3, rows.Quantities[Quantity.Rows]);
        Probe.Is(Level.Critical, count);
        Probe.Unmeasurable(text, "'many', which is not a number");
    }

    [Fact]
    public async Task Queries_run_read_only_so_a_write_fails_and_nothing_changes()
    {
        var before = await pg.CountAsync("watchlist");

        var delete = await Probe.MeasureAsync(Query("DELETE FROM watchlist RETURNING symbol", ValueKind.Rows));
        var insert = await Probe.MeasureAsync(Query("WITH w AS (INSERT INTO watchlist VALUES ('X') RETURNING 1) SELECT count(*) FROM w"));

        Probe.Unmeasurable(delete, "read-only transaction");
        Probe.Unmeasurable(insert, "read-only transaction");
        Assert.Equal(before, await pg.CountAsync("watchlist"));
    }

    [Fact]
    public async Task A_refused_connection_and_a_query_past_the_timeout_are_unmeasurable()
    {
        using var refusing = Ports.Refusing();
        var refused = await Probe.MeasureAsync(new SqlProbeDefinition { Postgres = $"Host=127.0.0.1;Port={refusing.Port};Username=postgres", Query = "SELECT 1" });
        var slow = await Probe.MeasureAsync(Query("SELECT pg_sleep(5)") with { Timeout = TimeSpan.FromMilliseconds(500) }, time: TimeProvider.System);

        Probe.Unmeasurable(refused, "refused");
        Probe.Unmeasurable(slow, "did not finish within 500ms");
    }
}
