using Vigil.Domain.Audit;
using Vigil.Domain.Security;

namespace Vigil.Domain.Evaluation;

/// <summary>API key changes made through the API: they pass through the writer only so that the key and its
/// audit entry are committed in one transaction. The key registry itself lives in the server.</summary>
public sealed partial class Evaluator
{
    public void CreateKey(ApiKey key, string by)
    {
        ArgumentNullException.ThrowIfNull(key);
        _changes.Keys.Add(key);
        _changes.Audit.Add(new AuditEntry
        {
            At = Now, Key = by, Action = AuditActions.KeyCreate, Target = key.Name, Reason = $"scope {key.Scope.ToString().ToLowerInvariant()}",
        });
    }

    public void RevokeKey(string name, string by)
    {
        var now = Now;
        _changes.RevokedKeys.Add((name, now));
        _changes.Audit.Add(new AuditEntry { At = now, Key = by, Action = AuditActions.KeyRevoke, Target = name, Reason = "revoked" });
    }
}
