namespace Vigil.Domain.Audit;

/// <summary>Who did what: written in the same transaction as the change it records, so the audit log can
/// neither miss a change nor record one that did not happen.</summary>
public sealed record AuditEntry
{
    /// <summary>Assigned by the store; 0 until written.</summary>
    public long Id { get; set; }
    public required DateTimeOffset At { get; init; }

    /// <summary>The API key's name, or <c>vigil</c> for what Vigil did by itself (start_closed, the first admin key).</summary>
    public required string Key { get; init; }
    public required string Action { get; init; }
    public required string Target { get; init; }
    public required string Reason { get; init; }
}

/// <summary>The <c>action</c> of an <see cref="AuditEntry"/>.</summary>
public static class AuditActions
{
    public const string KeyCreate = "key.create";
    public const string KeyRevoke = "key.revoke";
    public const string GateKill = "gate.kill";

    /// <summary>A silence made through the API; the target names the silence and what it matches, the reason is its own.</summary>
    public const string SilenceAdd = "silence.add";

    /// <summary>A silence ended early through the API.</summary>
    public const string SilenceExpire = "silence.expire";
    public const string GateRelease = "gate.release";

    /// <summary>Vigil's running mode changed; the target is the new mode.</summary>
    public const string ModeChange = "mode.change";

    /// <summary>Followed by the forced state: <c>breaker.force.open</c>, <c>.closed</c>, <c>.disabled</c>, <c>.auto</c>.</summary>
    public const string BreakerForcePrefix = "breaker.force.";

    /// <summary>The name Vigil records for what it did by itself.</summary>
    public const string Vigil = "vigil";
}
