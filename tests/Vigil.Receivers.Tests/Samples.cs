using Microsoft.Extensions.Time.Testing;
using Vigil.Domain.Checks;
using Vigil.Domain.Notifications;

namespace Vigil.Receivers.Tests;

/// <summary>Notifications and messages at fixed instants, so message text is exact.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 7, 0, TimeSpan.Zero);
    public const string PublicUrl = "https://vigil.example";

    public static FakeTimeProvider Clock() => new(Now);

    public static Notification Down(string check = "nightly-backup", Severity severity = Severity.Critical) => new()
    {
        Id = Guid.Parse("0190f0a0-0000-7000-8000-000000000001"),
        Check = check,
        CheckUuid = Guid.Parse("11111111-2222-3333-4444-555555555555"),
        Alert = AlertKind.Down,
        State = Notification.Firing,
        Severity = severity,
        Status = CheckStatus.Down,
        Reason = "no signal since 2026-03-02T07:00:00Z; expected at 2026-03-02T08:00:00Z (every 1h), grace 1h ran out",
        At = Now.AddMinutes(-5),
        Since = Now.AddMinutes(-5),
        LastGoodAt = Now.AddHours(-2).AddMinutes(-7),
        Description = "Nightly database backup to S3",
        Runbook = "https://wiki.example/runbooks/backup",
        Tags = ["db", "nightly"],
    };

    public static Notification Resolved(string check = "nightly-backup") => Down(check) with
    {
        Id = Guid.Parse("0190f0a0-0000-7000-8000-000000000002"),
        State = Notification.Resolved,
        Status = CheckStatus.Up,
        Reason = "a success ping arrived",
        Since = Now.AddHours(-2).AddMinutes(-5),
        At = Now.AddMinutes(-1),
    };

    public static OutgoingMessage Single(Notification n, string receiver = "ops", string? publicUrl = PublicUrl) =>
        new(n.Id.ToString(), receiver, [n]) { PublicUrl = publicUrl };

    /// <summary>A digest of <paramref name="count"/> down checks (every fourth a warning) and one resolved.</summary>
    public static OutgoingMessage Digest(int count, string receiver = "ops", int omitted = 0)
    {
        var notifications = new List<Notification>();
        for (var i = 0; i < count; i++)
        {
            notifications.Add(Down($"job-{i:D3}", i % 4 == 3 ? Severity.Warning : Severity.Critical) with { Id = Guid.CreateVersion7(Now.AddSeconds(i)) });
        }

        notifications.Add(Resolved("recovered-job"));
        return new OutgoingMessage("digest-" + count, receiver, notifications)
        {
            PublicUrl = PublicUrl,
            GroupKey = "{}:{alertname=\"down\"}",
            Omitted = omitted,
            ListUrl = omitted > 0 ? PublicUrl + "/checks?status=down" : null,
        };
    }
}
