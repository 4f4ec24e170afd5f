using Microsoft.Data.Sqlite;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Probes.Kinds;

/// <summary>
/// <c>sql</c> on SQLite. The file is opened with <c>Mode=ReadOnly</c> (SQLite neither creates a missing file nor
/// writes to an existing one) and <c>PRAGMA query_only</c>, without pooling so no handle stays open between runs.
/// A query still running at the timeout is interrupted (sqlite3_interrupt), since the driver runs it synchronously.
/// </summary>
internal sealed class SqliteProbe(SqlProbeDefinition definition, TimeProvider time) : IProbeReader
{
    public string Subject { get; } = $"the query on {definition.Sqlite}";

    public Task<ProbeReading> ReadAsync(CancellationToken cancellationToken)
    {
        var path = definition.Sqlite!;
        if (!File.Exists(path))
        {
            return Task.FromResult(ProbeReading.Unmeasurable(time.GetUtcNow(), Subject, $"{path} does not exist"));
        }

        return ReadAsync(path, cancellationToken);
    }

    private async Task<ProbeReading> ReadAsync(string path, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var cs = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(definition.Timeout.TotalSeconds),
        }.ToString();
        try
        {
            var connection = new SqliteConnection(cs);
            await using (connection.ConfigureAwait(false))
            {
                await connection.OpenAsync(ct).ConfigureAwait(false);
                using var interrupt = ct.Register(() => SQLitePCL.raw.sqlite3_interrupt(connection.Handle));
                using (var pragma = connection.CreateCommand())
                {
                    pragma.CommandText = "PRAGMA query_only = ON";
                    await pragma.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                using var command = connection.CreateCommand();
                command.CommandText = definition.Query;
                var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    return await SqlResult.ReadAsync(reader, definition, Subject, started, time, ct).ConfigureAwait(false);
                }
            }
        }
        catch (SqliteException ex)
        {
            return ProbeReading.Unmeasurable(time.GetUtcNow(), Subject, $"{Subject} failed: {ex.Message}");
        }
    }
}
