using Microsoft.Data.Sqlite;
using Vigil.Domain.Audit;
using Vigil.Domain.Breakers;
using Vigil.Domain.Gates;
using Vigil.Domain.Persistence;

namespace Vigil.Storage.Sqlite;

/// <summary>Reads of breakers, gates and the audit log.</summary>
public sealed partial class SqliteStore
{
    public async Task<IReadOnlyList<AuditEntry>> GetAuditAsync(int limit, DateTimeOffset? since, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return await QueryAsync(
            """
            SELECT id, at, key_name, action, target, reason FROM audit
            WHERE ($since IS NULL OR at >= $since) ORDER BY id DESC LIMIT $limit;
            """,
            r => new AuditEntry
            {
                Id = r.GetInt64(0),
                At = r.Instant(1),
                Key = r.GetString(2),
                Action = r.GetString(3),
                Target = r.GetString(4),
                Reason = r.GetString(5),
            },
            ct, ("$since", SqliteTime.ToDb(since)), ("$limit", limit)).ConfigureAwait(false);
    }

    public async Task<int> PruneAuditAsync(DateTimeOffset before, int max, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var removed = 0;
        await WriteAsync(writer => removed = writer.PruneAudit(before, max), ct).ConfigureAwait(false);
        return removed;
    }

    /// <summary>Inside the load's read transaction, so breakers and gates are of the same snapshot as the checks.</summary>
    private async Task<(IReadOnlyList<(BreakerDefinition, BreakerState)>, IReadOnlyList<(GateDefinition, GateState)>)> LoadPoliciesAsync(
        SqliteConnection connection, CancellationToken ct)
    {
        var breakers = new List<(BreakerDefinition, BreakerState)>();
        await using (var command = Command(connection, "SELECT name, definition, state FROM breakers ORDER BY name;"))
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                breakers.Add((ReadPolicy(reader, "breaker", 1, StoreJson.ReadBreakerDefinition), ReadPolicy(reader, "breaker", 2, StoreJson.ReadBreakerState)));
            }
        }

        var gates = new List<(GateDefinition, GateState)>();
        await using (var command = Command(connection, "SELECT name, definition, state FROM gates ORDER BY name;"))
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                gates.Add((ReadPolicy(reader, "gate", 1, StoreJson.ReadGateDefinition), ReadPolicy(reader, "gate", 2, StoreJson.ReadGateState)));
            }
        }

        return (breakers, gates);
    }

    private T ReadPolicy<T>(SqliteDataReader reader, string kind, int ordinal, Func<string, T> read)
    {
        try
        {
            return read(reader.GetString(ordinal));
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new StoreUnavailableException(
                $"{Describe()}: the stored {reader.GetName(ordinal)} of {kind} '{reader.GetString(0)}' cannot be read ({ex.Message}); restore a backup or fix the row",
                ex);
        }
    }
}
