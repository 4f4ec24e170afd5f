using Microsoft.Extensions.Time.Testing;
using Vigil.Domain.Checks;
using Vigil.Domain.Evaluation;
using Vigil.Domain.Notifications;

namespace Vigil.Domain.Tests;

/// <summary>A fake clock, an evaluator on it, and short ways to feed and inspect it.</summary>
internal sealed class TestKit
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    public TestKit(DateTimeOffset? start = null, TimeSpan? startupGrace = null)
    {
        Clock = new FakeTimeProvider(start ?? Epoch);
        Evaluator = new Evaluator(Clock, startupGrace);
    }

    public FakeTimeProvider Clock { get; }

    public Evaluator Evaluator { get; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    public static CheckDefinition Every(string name, TimeSpan every, TimeSpan? grace = null) =>
        new() { Name = name, Every = every, Grace = grace ?? CheckDefinition.DefaultGrace };

    public static CheckDefinition Cron(string name, string cron, string tz, TimeSpan? grace = null) =>
        new() { Name = name, Cron = cron, Tz = tz, Grace = grace ?? CheckDefinition.DefaultGrace };

    public TestKit Add(CheckDefinition definition)
    {
        Assert.Equal(UpsertStatus.Created, Evaluator.Upsert(definition));
        return this;
    }

    /// <summary>Moves the clock and acts on due deadlines, as the server's loop does.</summary>
    public int Advance(TimeSpan by)
    {
        Clock.Advance(by);
        return Evaluator.Tick();
    }

    public int AdvanceTo(DateTimeOffset instant)
    {
        Clock.SetUtcNow(instant);
        return Evaluator.Tick();
    }

    public PingOutcome Ping(string name, PingKind kind = PingKind.Success, Guid? rid = null, DateTimeOffset? dataTs = null,
        string? body = null, int? exitStatus = null) =>
        Evaluator.Ping(new PingSignal { Name = name, Kind = kind, Rid = rid, DataTs = dataTs, Body = body, ExitStatus = exitStatus });

    public CheckState State(string name) => Evaluator.Find(name)?.State ?? throw new InvalidOperationException($"no check {name}");

    public CheckStatus Status(string name) => State(name).Status;

    public Changes Take() => Evaluator.TakeChanges();

    /// <summary>The notifications made since the last take, as "check:alert:state" strings.</summary>
    public List<string> TakeNotifications() => Describe(Take().Notifications);

    public static List<string> Describe(IEnumerable<Notification> notifications) =>
        notifications.Select(n => $"{n.Check}:{n.Alert}:{n.State}").ToList();
}
