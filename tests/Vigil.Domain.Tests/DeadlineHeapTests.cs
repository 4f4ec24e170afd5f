using Vigil.Domain.Checks;

namespace Vigil.Domain.Tests;

public class DeadlineHeapTests
{
    [Fact]
    public void NextDeadline_IsTheEarliestOfManyChecks()
    {
        var kit = new TestKit();
        foreach (var minutes in new[] { 30, 7, 90, 12, 45 })
        {
            kit.Add(TestKit.Every($"job-{minutes}", TimeSpan.FromMinutes(minutes)));
            kit.Ping($"job-{minutes}");
        }

        Assert.Equal(TestKit.Epoch + TimeSpan.FromMinutes(7), kit.Evaluator.NextDeadline);

        kit.Clock.Advance(TimeSpan.FromMinutes(1));
        kit.Ping("job-7");
        Assert.Equal(TestKit.Epoch + TimeSpan.FromMinutes(8), kit.Evaluator.NextDeadline);

        kit.Evaluator.Delete("job-7");
        Assert.Equal(TestKit.Epoch + TimeSpan.FromMinutes(12), kit.Evaluator.NextDeadline);
    }

    [Fact]
    public void Tick_OnlyTouchesDueChecks()
    {
        var kit = new TestKit();
        for (var i = 1; i <= 50; i++)
        {
            kit.Add(TestKit.Every($"job-{i}", TimeSpan.FromMinutes(i), TimeSpan.Zero));
            kit.Ping($"job-{i}");
        }

        kit.Take();

        var handled = kit.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal(3, handled);
        var changes = kit.Take();
        Assert.Equal(["job-1", "job-2", "job-3"], changes.Checks.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["job-1:down:firing", "job-2:down:firing", "job-3:down:firing"], TestKit.Describe(changes.Notifications));
        Assert.Equal(TestKit.Epoch + TimeSpan.FromMinutes(4), kit.Evaluator.NextDeadline);
    }

    [Fact]
    public void Tick_WithNothingDue_ChangesNothing()
    {
        var kit = new TestKit().Add(TestKit.Every("job", TimeSpan.FromHours(1)));
        kit.Ping("job");
        kit.Take();

        Assert.Equal(0, kit.Advance(TimeSpan.FromMinutes(59)));
        Assert.False(kit.Evaluator.HasChanges);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(42)]
    [InlineData(2026)]
    public void ThousandsOfChecksWithRandomDeadlines_FireInOrderAtTheirDeadlines(int seed)
    {
        var random = new Random(seed);
        var kit = new TestKit();
        var expectedDown = new Dictionary<string, DateTimeOffset>();
        const int count = 3000;
        for (var i = 0; i < count; i++)
        {
            var name = $"c{i}";
            var every = TimeSpan.FromSeconds(random.Next(1, 86_400));
            var grace = TimeSpan.FromSeconds(random.Next(0, 3_600));
            kit.Add(TestKit.Every(name, every, grace));
            kit.Ping(name);
            expectedDown[name] = kit.Now + every + grace;
        }

        // Some checks ping again later (moving their deadlines in the heap), some are deleted.
        kit.Clock.Advance(TimeSpan.FromMilliseconds(500));
        for (var i = 0; i < count; i += 7)
        {
            var name = $"c{i}";
            if (i % 2 == 0)
            {
                kit.Evaluator.Delete(name);
                expectedDown.Remove(name);
            }
            else
            {
                var (definition, _) = kit.Evaluator.Find(name)!.Value;
                kit.Ping(name);
                expectedDown[name] = kit.Now + definition.Every!.Value + definition.Grace;
            }
        }

        kit.Take();
        var downs = new List<(string Check, DateTimeOffset At)>();
        DateTimeOffset? previous = null;
        var steps = 0;
        while (kit.Evaluator.NextDeadline is { } next)
        {
            Assert.True(previous is null || next >= previous, "deadlines never go backwards");
            if (steps++ % 97 == 0)
            {
                // The heap's top is the minimum over every check's own deadline.
                var min = kit.Evaluator.Checks.Select(c => kit.Evaluator.NextDeadlineOf(c.Definition.Name)).Where(d => d is not null).Min();
                Assert.Equal(min, next);
            }

            kit.AdvanceTo(next);
            downs.AddRange(kit.Take().Notifications.Select(n => (n.Check!, n.At)));
            previous = next;
        }

        Assert.Equal(expectedDown.Count, downs.Count);
        Assert.Equal(downs.Select(d => d.At).Order(), downs.Select(d => d.At));
        foreach (var (check, at) in downs)
        {
            Assert.Equal(expectedDown[check], at);
        }

        Assert.All(kit.Evaluator.Checks, c => Assert.Equal(CheckStatus.Down, c.State.Status));
    }

    [Fact]
    public void Load_PersistedState_SchedulesWithoutRecordingChanges()
    {
        var kit = new TestKit();
        var state = new CheckState { Status = CheckStatus.Up, ScheduleAnchor = kit.Now, LastSignalAt = kit.Now };

        kit.Evaluator.Load(TestKit.Every("loaded", TimeSpan.FromMinutes(5)) with { Uuid = Guid.NewGuid() }, state);

        Assert.False(kit.Evaluator.HasChanges);
        Assert.Equal(kit.Now + TimeSpan.FromMinutes(5), kit.Evaluator.NextDeadline);
    }
}
