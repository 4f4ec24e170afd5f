namespace Vigil.Domain.Checks;

/// <summary>The runtime facts of one check, owned by the evaluator and persisted with every change.</summary>
public sealed class CheckState
{
    public CheckStatus Status { get; set; } = CheckStatus.New;
    public DateTimeOffset? StatusSince { get; set; }
    public DateTimeOffset? LastSignalAt { get; set; }
    public DateTimeOffset? LastSuccessAt { get; set; }
    public DateTimeOffset? LastFailureAt { get; set; }

    /// <summary>The instant the schedule counts from: the last signal that showed the job ran.</summary>
    public DateTimeOffset? ScheduleAnchor { get; set; }
    public DateTimeOffset? LastDurationEndAt { get; set; }
    public double? LastDurationSeconds { get; set; }
    public int ConsecutiveFailures { get; set; }
    public int ConsecutiveSuccesses { get; set; }
    public DateTimeOffset? DataTs { get; set; }
    public long FencingCounter { get; set; }
    public List<OpenRun> OpenRuns { get; set; } = [];
    public List<HeldLease> Leases { get; set; } = [];
    public Dictionary<string, AlertState> Alerts { get; set; } = [];
    public List<DateTimeOffset> StatusChanges { get; set; } = [];
    public bool Flapping { get; set; }

    /// <summary>No deadline acts before this instant: set after a blind span so Vigil never alerts for time
    /// it was not watching.</summary>
    public DateTimeOffset? NotBefore { get; set; }

    /// <summary>A probe check's latest judged result (<c>measurement</c> in the API); null before its first.</summary>
    public Probes.Measurement? Measurement { get; set; }

    /// <summary>When a probe check's next run is due; null means at once (a new check, or one to run again now).</summary>
    public DateTimeOffset? NextProbeAt { get; set; }

    /// <summary>The probe run asked for and not answered yet: a run still in flight is never started twice.</summary>
    public ProbeInFlight? ProbeInFlight { get; set; }

    public bool Started => OpenRuns.Count > 0;

    public Level Level
    {
        get
        {
            var level = Level.Ok;
            foreach (var alert in Alerts.Values)
            {
                if (alert.Firing && alert.Severity.ToLevel() > level)
                {
                    level = alert.Severity.ToLevel();
                }
            }

            return level;
        }
    }
}
