namespace Vigil.Client;

public enum PingKind { Success, Start, Fail, Log }

public sealed record LeaseGrant(string Token, long FencingToken, DateTimeOffset ExpiresAt, Guid Rid);

public sealed record LeaseHolder(string Holder, DateTimeOffset ExpiresAt, Guid? Rid);

/// <summary>Either a grant, or the current holders when the check's concurrency is reached.</summary>
public sealed record AcquireResult(LeaseGrant? Grant, IReadOnlyList<LeaseHolder> Holders)
{
    public bool Granted => Grant is not null;
}

public enum LeaseOutcome { Success, Fail }

public sealed record CheckInfo(
    string Name, Guid Uuid, string Kind, string Status, string Level, bool Started,
    DateTimeOffset? LastSignalAt, DateTimeOffset? NextDeadlineAt, DateTimeOffset? NextExpectedAt,
    DateTimeOffset? DataTs, double? DataAgeS, IReadOnlyList<string> Tags, string Severity, string ManagedBy, bool Flapping, string PingUrl);

public sealed record CreatedKey(string Name, string Scope, string Key);

public sealed record KeyInfo(string Name, string Scope, DateTimeOffset CreatedAt, bool FromConfig);
