using Npgsql;
using Vigil.Testing;

namespace Vigil.Probes.Tests;

/// <summary>One PostgreSQL for the PostgreSQL probe tests.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    internal PostgresServer Server => _server ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.StartAsync();
        await ExecuteAsync("""
            CREATE TABLE cache_metadata (key text PRIMARY KEY, updated_at timestamptz, updated_naive timestamp);
            CREATE TABLE watchlist (symbol text);
            INSERT INTO watchlist VALUES ('SPY'), ('QQQ'), ('IWM');
            """);
    }

    public async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var c = new NpgsqlConnection(Server.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<long> CountAsync(string table)
    {
        await using var c = new NpgsqlConnection(Server.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {table}", c);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
