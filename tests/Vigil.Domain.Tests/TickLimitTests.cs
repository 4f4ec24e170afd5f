using Vigil.Domain.Checks;

namespace Vigil.Domain.Tests;

/// <summary>A tick with a limit acts on the earliest due deadlines only and leaves the rest due, so a caller can
/// commit a storm in parts.</summary>
public class TickLimitTests
{
    [Fact]
    public void Tick_WithALimit_ActsOnTheEarliestDueFirstAndLeavesTheRestDue()
    {
        var kit = new TestKit();
        for (var n = 0; n < 10; n++)
        {
            // Periods of 60 s, 61 s, ... so the deadlines fall in the order of the names.
            kit.Add(TestKit.Every($"job-{n}", TimeSpan.FromSeconds(60 + n), TimeSpan.FromSeconds(10)));
            kit.Ping($"job-{n}");
        }

        kit.Take();
        kit.Clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(4, kit.Evaluator.Tick(limit: 4));
        var first = kit.Take();
        Assert.Equal(["job-0", "job-1", "job-2", "job-3"], first.Notifications.Where(n => n.Alert == AlertKind.Down).Select(n => n.Check));
        Assert.Equal(CheckStatus.Up, kit.Status("job-4"));
        Assert.True(kit.Evaluator.NextDeadline <= kit.Now, "the deadlines left over are still due");

        Assert.Equal(4, kit.Evaluator.Tick(limit: 4));
        Assert.Equal(2, kit.Evaluator.Tick(limit: 4));
        Assert.Equal(0, kit.Evaluator.Tick(limit: 4));
        Assert.All(Enumerable.Range(0, 10), n => Assert.Equal(CheckStatus.Down, kit.Status($"job-{n}")));
    }
}
