namespace Vigil.Server.Delivery;

/// <summary>How the outbox dispatcher delivers. The defaults are production's; tests start a second dispatcher
/// with another <see cref="Owner"/>.</summary>
internal sealed record DispatcherOptions
{
    /// <summary>Deliveries one receiver may have in flight at once (each to a different check). The default value is 8.</summary>
    public const int DefaultMaxInFlight = 8;

    /// <summary>Messages a lane keeps ready beyond those in flight; a lane refills them once half its room is free, so
    /// a backlog is claimed in a few large transactions rather than many small ones. The default value is 56 (64 rows
    /// held with those in flight).</summary>
    public const int DefaultQueue = 56;

    /// <summary>Rows one lane holds at most (waiting in their groups, queued, in flight): the bound of its memory,
    /// and of one digest. The default value is 1000.</summary>
    public const int DefaultMaxHeld = 1000;

    /// <summary>Alerts one message lists at most; the rest are counted and linked to the full list. The default
    /// value is 25: a phone screen's worth, and within every chat service's message limits.</summary>
    public const int DefaultMaxAlertsPerMessage = 25;

    /// <summary>How long a claim holds a row. It must outlast a queued row's wait, its delivery (the HTTP timeout is
    /// 10 s) and the recording of its outcome; a claim that runs out makes the row claimable again, by anyone.
    /// The default value is 2 minutes.</summary>
    public static readonly TimeSpan DefaultClaimHold = TimeSpan.FromMinutes(2);

    /// <summary>A lane with nothing to do still looks at the outbox this often (another instance may have
    /// recorded the outcome that unblocks a line). The default value is 5 seconds.</summary>
    public static readonly TimeSpan DefaultIdlePoll = TimeSpan.FromSeconds(5);

    /// <summary>The first wait before a failed lane restarts; it doubles with each failure in a row, up to
    /// <see cref="DefaultMaxRestartDelay"/>. The default value is 1 second.</summary>
    public static readonly TimeSpan DefaultRestartDelay = TimeSpan.FromSeconds(1);

    /// <summary>The default value is 30 seconds.</summary>
    public static readonly TimeSpan DefaultMaxRestartDelay = TimeSpan.FromSeconds(30);

    /// <summary>Outcomes recorded in one writer command at most. The default value is 512.</summary>
    public const int DefaultMaxMarksPerRecord = 512;

    /// <summary>How long a row's own receiver may keep failing (counted from the row's creation, i.e. its first
    /// attempt) before each failed attempt is followed by the failover receivers and the last resort. The default
    /// value is 3 minutes: a few retries with backoff.</summary>
    public static readonly TimeSpan DefaultFailoverAfter = TimeSpan.FromMinutes(3);

    /// <summary>Who holds the claims this dispatcher takes: unique per dispatcher, readable in the outbox table.</summary>
    public string Owner { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    public int MaxInFlight { get; init; } = DefaultMaxInFlight;
    public int Queue { get; init; } = DefaultQueue;
    public int MaxHeld { get; init; } = DefaultMaxHeld;
    public int MaxAlertsPerMessage { get; init; } = DefaultMaxAlertsPerMessage;
    public TimeSpan ClaimHold { get; init; } = DefaultClaimHold;
    public TimeSpan IdlePoll { get; init; } = DefaultIdlePoll;
    public TimeSpan RestartDelay { get; init; } = DefaultRestartDelay;
    public TimeSpan MaxRestartDelay { get; init; } = DefaultMaxRestartDelay;
    public int MaxMarksPerRecord { get; init; } = DefaultMaxMarksPerRecord;
    public TimeSpan FailoverAfter { get; init; } = DefaultFailoverAfter;

    /// <summary>End every claim at start: right only when this is the one dispatcher of a single-node store.</summary>
    public bool ReleaseClaimsAtStart { get; init; }
}
