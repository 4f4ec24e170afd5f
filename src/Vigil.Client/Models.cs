namespace Vigil.Client;

/// <summary>The kind of a ping: what it says about the job.</summary>
public enum PingKind
{
    /// <summary>The job succeeded (or ended the run named by its rid successfully).</summary>
    Success,

    /// <summary>A run starts.</summary>
    Start,

    /// <summary>The job failed.</summary>
    Fail,

    /// <summary>Recorded only; changes no status.</summary>
    Log,
}

/// <summary>A lease Vigil granted.</summary>
/// <param name="Token">Proves the holder in renew and release.</param>
/// <param name="FencingToken">One higher than any token issued before for the check: pass it with writes.</param>
/// <param name="ExpiresAt">When the lease expires unless renewed.</param>
/// <param name="Rid">The run the lease records.</param>
public sealed record LeaseGrant(string Token, long FencingToken, DateTimeOffset ExpiresAt, Guid Rid);

/// <summary>A current holder of a lease, as a refused acquire names it.</summary>
/// <param name="Holder">Who holds it (host:pid by convention).</param>
/// <param name="ExpiresAt">When it expires unless renewed.</param>
/// <param name="Rid">The run it records.</param>
public sealed record LeaseHolder(string Holder, DateTimeOffset ExpiresAt, Guid? Rid);

/// <summary>Either a grant, or the current holders when the check's concurrency is reached.</summary>
/// <param name="Grant">The lease, when granted.</param>
/// <param name="Holders">Who holds it, when refused.</param>
public sealed record AcquireResult(LeaseGrant? Grant, IReadOnlyList<LeaseHolder> Holders)
{
    /// <summary>Whether the lease was granted.</summary>
    public bool Granted => Grant is not null;
}

/// <summary>How a job under a lease went.</summary>
public enum LeaseOutcome
{
    /// <summary>It succeeded.</summary>
    Success,

    /// <summary>It failed.</summary>
    Fail,
}

/// <summary>A check as the list of checks shows it.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Uuid">Its UUID, also its ping secret.</param>
/// <param name="Kind">heartbeat or probe.</param>
/// <param name="Status">new, up, grace, down or paused.</param>
/// <param name="Level">ok, warning or critical.</param>
/// <param name="Started">Whether a run is open.</param>
/// <param name="LastSignalAt">When the last signal arrived.</param>
/// <param name="NextDeadlineAt">When Vigil next acts on it unless a signal comes.</param>
/// <param name="NextExpectedAt">When the next signal is expected by its schedule.</param>
/// <param name="DataTs">The newest data time reported.</param>
/// <param name="DataAgeS">How old that data is, in seconds.</param>
/// <param name="Tags">Its tags.</param>
/// <param name="Severity">The severity of its alerts.</param>
/// <param name="ManagedBy">config or api.</param>
/// <param name="Flapping">Whether its notifications are held for flapping.</param>
/// <param name="PingUrl">Its UUID ping path.</param>
public sealed record CheckInfo(
    string Name, Guid Uuid, string Kind, string Status, string Level, bool Started,
    DateTimeOffset? LastSignalAt, DateTimeOffset? NextDeadlineAt, DateTimeOffset? NextExpectedAt,
    DateTimeOffset? DataTs, double? DataAgeS, IReadOnlyList<string> Tags, string Severity, string ManagedBy, bool Flapping, string PingUrl);

/// <summary>An API key just created; the key itself is shown only this once.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Scope">ping, read, write or admin.</param>
/// <param name="Key">The secret.</param>
public sealed record CreatedKey(string Name, string Scope, string Key);

/// <summary>An API key as listed (never the secret).</summary>
/// <param name="Name">Its name.</param>
/// <param name="Scope">ping, read, write or admin.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="FromConfig">Whether vigil.yaml declares it.</param>
public sealed record KeyInfo(string Name, string Scope, DateTimeOffset CreatedAt, bool FromConfig);
