using Vigil.Domain.Evaluation;

namespace Vigil.Storage.Sqlite;

/// <summary>Breakers, gates, the audit log and API-created keys, written in the same transaction as the rest of
/// the batch. Statements are prepared the first time a batch needs them.</summary>
internal sealed partial class SqliteWriter
{
    private RawStatement? _upsertBreaker;
    private RawStatement? _deleteBreaker;
    private RawStatement? _upsertGate;
    private RawStatement? _deleteGate;
    private RawStatement? _insertAudit;
    private RawStatement? _pruneAudit;

    /// <summary>Deletes at most <paramref name="max"/> audit entries older than <paramref name="before"/>, oldest first
    /// (through <c>ix_audit_at</c>), in their own short transaction.</summary>
    public int PruneAudit(DateTimeOffset before, int max) =>
        Alone(() => (_pruneAudit ??= Prepare(
            "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE at < $before ORDER BY at LIMIT $max);",
            "$before", "$max")).Instant(before).Int(max).Execute());

    private void WritePolicies(Changes changes, string now)
    {
        foreach (var name in changes.DeletedBreakers)
        {
            (_deleteBreaker ??= Prepare("DELETE FROM breakers WHERE name = $name;", "$name")).Text(name).Execute();
        }

        foreach (var (definition, state) in changes.Breakers.Values)
        {
            (_upsertBreaker ??= Prepare(
                """
                INSERT INTO breakers (name, definition, state, updated_at) VALUES ($name, $definition, $state, $updated_at)
                ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, state = excluded.state, updated_at = excluded.updated_at;
                """,
                "$name", "$definition", "$state", "$updated_at"))
                .Text(definition.Name).Text(StoreJson.Serialize(definition)).Text(StoreJson.Serialize(state)).Text(now).Execute();
        }

        foreach (var name in changes.DeletedGates)
        {
            (_deleteGate ??= Prepare("DELETE FROM gates WHERE name = $name;", "$name")).Text(name).Execute();
        }

        foreach (var (definition, state) in changes.Gates.Values)
        {
            (_upsertGate ??= Prepare(
                """
                INSERT INTO gates (name, definition, state, updated_at) VALUES ($name, $definition, $state, $updated_at)
                ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, state = excluded.state, updated_at = excluded.updated_at;
                """,
                "$name", "$definition", "$state", "$updated_at"))
                .Text(definition.Name).Text(StoreJson.Serialize(definition)).Text(StoreJson.Serialize(state)).Text(now).Execute();
        }

        foreach (var key in changes.Keys)
        {
            _upsertKey.Text(key.Name).Text(ScopeText.Of(key.Scope)).Text(key.Sha256).Instant(key.CreatedAt)
                .Instant(key.RevokedAt).Flag(key.FromConfig).Execute();
        }

        foreach (var (name, at) in changes.RevokedKeys)
        {
            _revokeKey.Instant(at).Text(name).Execute();
        }

        foreach (var entry in changes.Audit)
        {
            entry.Id = (_insertAudit ??= Prepare(
                "INSERT INTO audit (at, key_name, action, target, reason) VALUES ($at, $key, $action, $target, $reason) RETURNING id;",
                "$at", "$key", "$action", "$target", "$reason"))
                .Instant(entry.At).Text(entry.Key).Text(entry.Action).Text(entry.Target).Text(entry.Reason).ExecuteInt64();
        }
    }
}
