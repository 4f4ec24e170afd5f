using System.Text.Json;
using System.Text.Json.Serialization;
using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;

namespace Vigil.Storage.Tests;

/// <summary>Domain values with every member set, so a store that drops or mangles one is caught.</summary>
internal static class StoreSamples
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 29, 0, 30, 15, TimeSpan.Zero);

    public static CheckDefinition FullDefinition(string name = "backup-db") => new()
    {
        Name = name,
        Uuid = Guid.NewGuid(),
        Kind = CheckKind.Probe,
        Every = null,
        Cron = "30 2 * * *",
        Tz = "Europe/Berlin",
        Grace = TimeSpan.FromMinutes(7) + TimeSpan.FromTicks(3),
        MaxRuntime = TimeSpan.FromHours(2),
        MinInterval = TimeSpan.FromSeconds(90),
        MaxDataAge = TimeSpan.FromDays(1),
        FailAfter = 3,
        RecoverAfter = 2,
        Flapping = new FlappingSettings(4, TimeSpan.FromMinutes(30)),
        Severity = Severity.Warning,
        Tags = ["prod", "db"],
        Description = "nightly backup",
        Runbook = "https://wiki.example/backup",
        Paused = true,
        ManualResume = true,
        Concurrency = 2,
        DependsOn = ["network", "nas"],
        Remediation = "restart-backup",
        Keywords = new KeywordFilters(["ok"], ["error", "fatal"], ["begin"]),
        ManagedBy = ManagedBy.Config,
    };

    public static CheckDefinition SimpleDefinition(string name) => new() { Name = name, Uuid = Guid.NewGuid(), Every = TimeSpan.FromMinutes(5) };

    public static CheckState RichState()
    {
        var rid = Guid.NewGuid();
        return new CheckState
        {
            Status = CheckStatus.Down,
            StatusSince = T0.AddMinutes(-3),
            LastSignalAt = T0.AddTicks(-12_345),
            LastSuccessAt = T0.AddHours(-1),
            LastFailureAt = T0.AddMinutes(-4),
            ScheduleAnchor = T0.AddMinutes(-10),
            LastDurationEndAt = T0.AddMinutes(-9),
            LastDurationSeconds = 12.75,
            ConsecutiveFailures = 2,
            ConsecutiveSuccesses = 0,
            DataTs = T0.AddMinutes(-20),
            FencingCounter = 41,
            OpenRuns =
            [
                new OpenRun { Rid = rid, Implicit = false, StartedAt = T0.AddMinutes(-2), Deadline = T0.AddMinutes(58), Holder = "host-a", LeaseToken = "tok-1" },
                new OpenRun { Rid = Guid.NewGuid(), Implicit = true, StartedAt = T0.AddMinutes(-1), Deadline = null },
            ],
            Leases =
            [
                new HeldLease { Token = "tok-1", FencingToken = 41, Holder = "host-a", Rid = rid, AcquiredAt = T0.AddMinutes(-2), ExpiresAt = T0.AddMinutes(1), Ttl = TimeSpan.FromMinutes(3) },
            ],
            Alerts = new Dictionary<string, AlertState>
            {
                [AlertKind.Down] = new() { Firing = true, Notified = true, Since = T0.AddMinutes(-3), Reason = "no ping since 00:20", Severity = Severity.Critical },
                [AlertKind.DataStale] = new() { Firing = false, Notified = true, Since = T0.AddDays(-1), Reason = "", Severity = Severity.Warning },
            },
            StatusChanges = [T0.AddMinutes(-30), T0.AddMinutes(-3)],
            Flapping = true,
            NotBefore = T0.AddMinutes(5),
            Measurement = new Domain.Probes.Measurement(T0.AddSeconds(-7), new Dictionary<string, double> { ["age"] = 518400.5, ["bytes"] = 2048 },
                Level.Warning, "token.json's $.created_at is 6d old (warn after 5d, critical after 7d)") { Unmeasurable = false },
            NextProbeAt = T0.AddSeconds(53),
            ProbeInFlight = new ProbeInFlight(T0.AddSeconds(-7), T0.AddSeconds(-6), Guid.NewGuid()),
        };
    }

    public static Notification Notification(string? check, DateTimeOffset at) => new()
    {
        Id = Guid.NewGuid(),
        Check = check,
        CheckUuid = check is null ? null : Guid.NewGuid(),
        Alert = AlertKind.Down,
        State = Domain.Notifications.Notification.Firing,
        Severity = Severity.Critical,
        Status = CheckStatus.Down,
        Reason = "no ping for 5m",
        At = at,
        Since = at.AddMinutes(-5),
        Runbook = "https://wiki.example/runbook",
        Description = "the thing",
        Tags = ["prod"],
    };

    public static OutboxEntry Outbox(Notification notification, string receiver, DateTimeOffset createdAt, DateTimeOffset nextAttemptAt) => new()
    {
        Id = Guid.NewGuid(),
        NotificationId = notification.Id,
        Receiver = receiver,
        Notification = notification,
        CreatedAt = createdAt,
        NextAttemptAt = nextAttemptAt,
    };

    public static CheckEvent Event(string check, DateTimeOffset at, string type = EventTypes.Success) => new()
    {
        Check = check,
        At = at,
        Type = type,
        Reason = "ping received",
    };

    /// <summary>An independent, reflection-based rendering of every public member, to compare values whose
    /// records hold lists (records compare lists by reference). Deliberately not the store's own serializer:
    /// a member the store forgot would be forgotten on both sides of the comparison.</summary>
    public static string Render(object value) => JsonSerializer.Serialize(value, value.GetType(), RenderOptions);

    private static readonly JsonSerializerOptions RenderOptions = new() { Converters = { new JsonStringEnumConverter() } };
}
