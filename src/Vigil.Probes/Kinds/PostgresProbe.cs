using System.Data.Common;
using Npgsql;
using Vigil.Domain.Probes;
using Vigil.Domain.Probes.Definitions;

namespace Vigil.Probes.Kinds;

/// <summary>
/// <c>sql</c> on PostgreSQL through Npgsql. Every session starts with <c>default_transaction_read_only</c> and
/// the query runs in a transaction declared <c>READ ONLY</c> and rolled back, so even a query that tries to
/// write cannot. The data source (a small pool) lives as long as the probe.
/// </summary>
internal sealed class PostgresProbe : IProbeReader
{
    private readonly SqlProbeDefinition _d;
    private readonly TimeProvider _time;
    private readonly NpgsqlDataSource _source;

    public PostgresProbe(SqlProbeDefinition definition, TimeProvider time)
    {
        _d = definition;
        _time = time;
        var builder = new NpgsqlConnectionStringBuilder(definition.Postgres);
        var seconds = (int)Math.Ceiling(definition.Timeout.TotalSeconds);
        builder.Timeout = Math.Min(seconds, 1024);
        builder.CommandTimeout = seconds;
        builder.ApplicationName ??= "vigil-probe";
        builder.Options = $"{builder.Options} -c default_transaction_read_only=on".Trim();
        builder.MaxPoolSize = 2;
        _source = NpgsqlDataSource.Create(builder);
        Subject = $"the query on PostgreSQL {builder.Database ?? builder.Username}@{builder.Host}:{builder.Port}";
    }

    public string Subject { get; }

    public async Task<ProbeReading> ReadAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, transaction))
                    {
                        await readOnly.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    using var command = new NpgsqlCommand(_d.Query, connection, transaction);
                    ProbeReading reading;
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        reading = await SqlResult.ReadAsync(reader, _d, Subject, started, _time, cancellationToken).ConfigureAwait(false);
                    }

                    await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                    return reading;
                }
            }
        }
        catch (PostgresException ex)
        {
            return ProbeReading.Unmeasurable(_time.GetUtcNow(), Subject, $"{Subject} failed: {ex.MessageText}");
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return ProbeReading.Unmeasurable(_time.GetUtcNow(), Subject, $"{Subject} failed: {HttpClients.Why(ex)}");
        }
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
